"""Exercise 7: dropout (lesson sections 19-22).

During training, dropout switches off a random part of a layer's units on
every step, so the network cannot rely on any single one. Each unit is kept
with probability keep_prob; kept units are scaled by 1 / keep_prob so the
expected sum stays the same, dropped units become 0.

Put dropout on the hidden layer, after the ReLU:

    hidden = relu(features @ W_hidden + b_hidden)
    hidden = tf.nn.dropout(hidden, keep_prob)
    logits = hidden @ W_out + b_out

keep_prob is a placeholder: feed 0.5 (say) while training and 1.0 when
evaluating, so that evaluation uses every unit.

TensorFlow 1's tf.nn.dropout(x, keep_prob) takes the probability of KEEPING a
unit; TensorFlow 2's takes `rate`, the probability of DROPPING it
(rate = 1 - keep_prob). With 0.5 both look the same; with 0.8 they do not.

Check your work with `grader check dropout`.
"""

import tensorflow.compat.v1 as tf


def dropout_model(features, weights, biases, keep_prob):
    """Return the logits of a ReLU network with dropout on its hidden layer.

    features:  a [batch, n_inputs] float tensor.
    weights:   [hidden_weights, out_weights].
    biases:    [hidden_biases, out_biases].
    keep_prob: a scalar float tensor (a placeholder), the probability to keep a unit.
    Returns a [batch, n_classes] tensor of logits.
    """
    # TODO: the ReLU hidden layer of the previous exercise, then
    # tf.nn.dropout(hidden_layer, keep_prob), then the linear output layer.
    # TODO: write your code here.
    raise NotImplementedError("not written yet")
