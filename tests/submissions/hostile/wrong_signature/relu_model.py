"""Hostile submission: wrong signature."""
import tensorflow.compat.v1 as tf


def relu_model(features):
    return tf.nn.relu(features)
