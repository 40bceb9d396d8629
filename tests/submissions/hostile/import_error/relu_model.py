"""Hostile submission: import error."""
import tensorflow.compat.v1 as tf
import a_module_that_does_not_exist


def relu_model(features, weights, biases):
    return tf.matmul(features, weights[0])
