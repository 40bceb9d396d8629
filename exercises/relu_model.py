"""Exercise 2: a ReLU hidden layer (lesson section 8).

A linear model stacked on a linear model is still linear. Putting a ReLU,
f(x) = max(0, x), between two layers makes the network nonlinear:

    hidden = relu(features @ W_hidden + b_hidden)
    logits = hidden @ W_out + b_out        # no ReLU and no softmax on the output layer

Return the logits themselves. The lesson's text puts a softmax after the second
layer; in code the softmax belongs in the loss (softmax_cross_entropy_with_logits
applies it), so relu_model returns the output layer without any activation.

Check your work with `grader check relu_model`.
"""

import tensorflow.compat.v1 as tf


def relu_model(features, weights, biases):
    """Return the logits of a 2-layer network with a ReLU hidden layer.

    features: a [batch, n_inputs] float tensor.
    weights:  [hidden_weights, out_weights], shaped [n_inputs, n_hidden] and [n_hidden, n_classes].
    biases:   [hidden_biases, out_biases], shaped [n_hidden] and [n_classes].
    Returns a [batch, n_classes] tensor of logits (linear: no ReLU, no softmax on the output).
    """
    # TODO: hidden layer = features times the hidden weights, plus the hidden biases,
    # passed through tf.nn.relu; then the output layer, without an activation.
    # TODO: write your code here.
    raise NotImplementedError("not written yet")
