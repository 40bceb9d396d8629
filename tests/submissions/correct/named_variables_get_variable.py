"""Correct another way (named_variables): tf.get_variable with the names, bias created first."""

import tensorflow.compat.v1 as tf


def make_variables(n_inputs=2, n_outputs=3):
    bias = tf.get_variable('bias_0', shape=[n_outputs], initializer=tf.truncated_normal_initializer())
    weights = tf.get_variable('weights_0', shape=[n_inputs, n_outputs],
                              initializer=tf.truncated_normal_initializer())
    return [weights, bias]
