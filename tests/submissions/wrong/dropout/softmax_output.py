"""Dropout right, then a softmax on the output layer."""
import tensorflow.compat.v1 as tf


def dropout_model(features, weights, biases, keep_prob):
    hidden = tf.nn.relu(tf.add(tf.matmul(features, weights[0]), biases[0]))
    hidden = tf.nn.dropout(hidden, keep_prob)
    return tf.nn.softmax(tf.add(tf.matmul(hidden, weights[1]), biases[1]))
