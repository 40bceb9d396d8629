import tensorflow.compat.v1 as tf


def relu_model(features, weights, biases):
    # ReLU written as max(0, x), bias added with +.
    hidden = tf.maximum(0.0, tf.matmul(features, weights[0]) + biases[0])
    return tf.matmul(hidden, weights[1]) + biases[1]
