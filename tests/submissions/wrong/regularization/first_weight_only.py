import tensorflow.compat.v1 as tf


def l2_regularized_loss(loss, weights, beta):
    return loss + beta * tf.nn.l2_loss(weights[0])
