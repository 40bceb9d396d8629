"""The name copied from the stub's comment, ':0' and all: TensorFlow refuses it."""
import tensorflow.compat.v1 as tf


def make_variables(n_inputs=2, n_outputs=3):
    weights = tf.Variable(tf.truncated_normal([n_inputs, n_outputs]), name="weights_0:0")
    bias = tf.Variable(tf.truncated_normal([n_outputs]), name="bias_0:0")
    return weights, bias
