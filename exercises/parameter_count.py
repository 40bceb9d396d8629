"""Exercise 1: counting parameters (lesson section 3).

A fully connected layer from N inputs to K outputs learns an N x K weight
matrix plus K biases: (N + 1) * K parameters. A logistic classifier on 28x28
images with 10 classes has 28 * 28 * 10 + 10 = 7850 of them. A deeper network
simply adds up its layers: 784 -> 256 -> 10 has 200,704 + 256 + 2,560 + 10.

In TensorFlow every parameter lives in a variable; the number of scalars in a
variable is the product of its shape's dimensions (a scalar variable holds 1).

Check your work with `grader check parameter_count`.
"""

import numpy as np
import tensorflow.compat.v1 as tf


def count_parameters(layer_sizes):
    """Return the number of weights and biases of a fully connected network.

    layer_sizes: the width of every layer, inputs first and classes last,
    e.g. [784, 256, 10] for one hidden layer of 256 units.
    Returns an int: sum over consecutive layers of n_in * n_out + n_out.
    """
    # TODO: walk over consecutive pairs (n_in, n_out) of layer_sizes and add up
    # the weights (n_in * n_out) and the biases (n_out) of each layer.
    # TODO: write your code here.
    raise NotImplementedError("not written yet")


def count_variables(variables):
    """Return how many scalars a list of TensorFlow variables holds.

    variables: a list of tf.Variable (weights and biases of any shape).
    Returns an int, e.g. 203530 for the lesson's 784 -> 256 -> 10 network.
    """
    # TODO: for each variable, multiply the dimensions of its shape
    # (variable.get_shape().as_list()) and add the products up.
    # TODO: write your code here.
    raise NotImplementedError("not written yet")
