import tensorflow.compat.v1 as tf


def l2_regularized_loss(loss, weights, beta):
    return loss + beta * tf.add_n([0.5 * tf.norm(w) for w in weights])
