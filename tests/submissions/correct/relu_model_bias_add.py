import tensorflow.compat.v1 as tf


def relu_model(features, weights, biases):
    out_w, out_b = weights[1], biases[1]
    hidden = tf.nn.relu(tf.nn.bias_add(tf.matmul(features, weights[0]), biases[0]))
    return tf.nn.bias_add(tf.matmul(hidden, out_w), out_b)
