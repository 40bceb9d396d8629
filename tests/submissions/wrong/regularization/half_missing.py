import tensorflow.compat.v1 as tf


def l2_regularized_loss(loss, weights, beta):
    penalty = 0.0
    for w in weights:
        penalty += tf.reduce_sum(tf.square(w))
    return loss + beta * penalty
