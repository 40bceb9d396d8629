import tensorflow.compat.v1 as tf


def relu_model(features, weights, biases):
    hidden_layer = tf.nn.relu(tf.matmul(features, weights[0], transpose_b=True) + biases[0])
    return tf.matmul(hidden_layer, weights[1]) + biases[1]
