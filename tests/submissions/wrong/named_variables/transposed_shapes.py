"""Wrong submission (named_variables): weights are [n_outputs, n_inputs]."""

import tensorflow.compat.v1 as tf


def make_variables(n_inputs=2, n_outputs=3):
    """Create and return (weights, bias), named 'weights_0' and 'bias_0'.

    weights is an [n_inputs, n_outputs] variable and bias an [n_outputs] one,
    both initialized from tf.truncated_normal, as in the lesson.
    """
    weights = tf.Variable(tf.truncated_normal([n_outputs, n_inputs]), name="weights_0")
    bias = tf.Variable(tf.truncated_normal([n_outputs]), name="bias_0")
    return weights, bias
