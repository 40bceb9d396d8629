import tensorflow.compat.v1 as tf


def dropout_model(features, weights, biases, keep_prob):
    hidden = tf.nn.relu(tf.add(tf.matmul(features, weights[0]), biases[0]))
    hidden = tf.nn.dropout(hidden, rate=1 - keep_prob)
    return tf.add(tf.matmul(hidden, weights[1]), biases[1])
