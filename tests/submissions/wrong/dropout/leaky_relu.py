"""Dropout on a leaky ReLU hidden layer instead of the lesson's ReLU."""
import tensorflow.compat.v1 as tf


def dropout_model(features, weights, biases, keep_prob):
    hidden = tf.nn.leaky_relu(tf.add(tf.matmul(features, weights[0]), biases[0]))
    hidden = tf.nn.dropout(hidden, keep_prob)
    return tf.add(tf.matmul(hidden, weights[1]), biases[1])
