"""Not hostile: a correct answer whose imports were not loaded before the fork."""
import wave  # stdlib module nobody imported in the zygote

import tensorflow.compat.v1 as tf
from tensorflow.python.training import saver

assert wave.open and saver.Saver


def relu_model(features, weights, biases):
    hidden = tf.nn.relu(tf.add(tf.matmul(features, weights[0]), biases[0]))
    return tf.add(tf.matmul(hidden, weights[1]), biases[1])
