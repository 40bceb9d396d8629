"""Wrong submission (named_variables): no names, as in the lesson's first attempt."""

import tensorflow.compat.v1 as tf


def make_variables(n_inputs=2, n_outputs=3):
    """Create and return (weights, bias), named 'weights_0' and 'bias_0'.

    weights is an [n_inputs, n_outputs] variable and bias an [n_outputs] one,
    both initialized from tf.truncated_normal, as in the lesson.
    """
    weights = tf.Variable(tf.truncated_normal([n_inputs, n_outputs]))
    bias = tf.Variable(tf.truncated_normal([n_outputs]))
    return weights, bias
