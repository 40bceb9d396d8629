"""Exercise 5: named variables, so a checkpoint loads into a modified model (lesson section 15).

Without a `name`, TensorFlow names variables by creation order: `Variable:0`,
`Variable_1:0`, ... A Saver stores each value under that name. If the new model
creates its variables in another order, or creates another variable first,
the names shift: restore then loads the bias into the weights ("Assign requires
shapes of both tensors to match") or finds no value at all. Naming the
variables yourself makes the checkpoint independent of the creation order:

    weights = tf.Variable(..., name='weights_0')

TensorFlow then reports the variable's name as 'weights_0:0' (the ':0' is added
by TensorFlow: give name='weights_0', never the ':0' yourself).

Check your work with `grader check named_variables`.
"""

import tensorflow.compat.v1 as tf


def make_variables(n_inputs=2, n_outputs=3):
    """Create and return (weights, bias), named 'weights_0' and 'bias_0'.

    weights is an [n_inputs, n_outputs] variable and bias an [n_outputs] one,
    both initialized from tf.truncated_normal, as in the lesson.
    """
    # TODO: two tf.Variable(tf.truncated_normal(shape), name=...) calls.
    # BEGIN SOLUTION
    weights = tf.Variable(tf.truncated_normal([n_inputs, n_outputs]), name="weights_0")
    bias = tf.Variable(tf.truncated_normal([n_outputs]), name="bias_0")
    return weights, bias
    # END SOLUTION
