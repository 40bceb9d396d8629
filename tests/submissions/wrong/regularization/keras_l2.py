"""Keras' L2 regularizer: beta * sum(w ** 2), without the lesson's 1/2."""
import tensorflow.compat.v1 as tf


def l2_regularized_loss(loss, weights, beta):
    return loss + tf.add_n([beta * tf.reduce_sum(tf.square(w)) for w in weights])
