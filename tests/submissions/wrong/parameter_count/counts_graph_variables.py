"""count_variables that ignores its argument and counts the graph's trainable variables instead."""
import numpy as np
import tensorflow.compat.v1 as tf


def count_parameters(layer_sizes):
    return sum(a * b + b for a, b in zip(layer_sizes[:-1], layer_sizes[1:]))


def count_variables(variables):
    return int(sum(np.prod(v.get_shape().as_list()) for v in tf.trainable_variables()))
