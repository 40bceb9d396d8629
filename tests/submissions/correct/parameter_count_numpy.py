import numpy as np
import tensorflow.compat.v1 as tf


def count_parameters(layer_sizes):
    sizes = np.asarray(layer_sizes)
    return np.sum(sizes[:-1] * sizes[1:] + sizes[1:])  # a numpy integer


def count_variables(variables):
    # Counted by TensorFlow itself: returns a tensor.
    return tf.add_n([tf.size(v) for v in variables])
