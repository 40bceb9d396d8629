import tensorflow.compat.v1 as tf


def l2_regularized_loss(loss, weights, beta):
    penalty = 0.0
    for w in weights:
        penalty = penalty + tf.reduce_sum(w * w) / 2.0
    return tf.add(loss, tf.multiply(beta, penalty))
