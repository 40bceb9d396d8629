"""Biases on every layer, the input layer included."""
import numpy as np


def count_parameters(layer_sizes):
    weights = sum(a * b for a, b in zip(layer_sizes[:-1], layer_sizes[1:]))
    return weights + sum(layer_sizes)


def count_variables(variables):
    return int(sum(np.prod(v.get_shape().as_list()) for v in variables))
