import tensorflow.compat.v1 as tf


def count_parameters(layer_sizes):
    # Only the weight matrices: n_in * n_out per layer.
    total = 0
    for i in range(len(layer_sizes) - 1):
        total += layer_sizes[i] * layer_sizes[i + 1]
    return total


def count_variables(variables):
    total = 0
    for v in variables:
        n = 1
        for d in v.get_shape().as_list():
            n *= d
        total += n
    return total
