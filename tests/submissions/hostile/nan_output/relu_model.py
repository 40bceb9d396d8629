"""Hostile submission: nan output."""
import tensorflow.compat.v1 as tf


def relu_model(features, weights, biases):
    logits = tf.matmul(tf.nn.relu(tf.matmul(features, weights[0]) + biases[0]), weights[1]) + biases[1]
    return logits * float("nan")
