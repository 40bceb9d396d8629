"""Hostile submission: missing function."""
import tensorflow.compat.v1 as tf


def relu_modle(features, weights, biases):  # misspelled on purpose
    return tf.nn.relu(tf.matmul(features, weights[0]) + biases[0])
