"""The penalty taken over every trainable variable of the graph, not the weights passed in."""
import tensorflow.compat.v1 as tf


def l2_regularized_loss(loss, weights, beta):
    return loss + beta * tf.add_n([tf.nn.l2_loss(v) for v in tf.trainable_variables()])
