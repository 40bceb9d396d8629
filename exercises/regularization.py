"""Exercise 6: L2 regularization (lesson sections 16-18).

Large weights let a network memorise its training set. L2 regularization adds
a penalty that grows with the weights, so training prefers small ones:

    loss' = loss + beta * 1/2 * ||w||^2

where ||w||^2 is the sum of the squares of every weight, summed over all the
weight tensors, and beta is a small constant you tune. Its derivative with
respect to w is simply beta * w, which is why the 1/2 is there.

TensorFlow computes 1/2 ||w||^2 of one tensor for you: tf.nn.l2_loss(w) is
sum(w ** 2) / 2. Penalise exactly the tensors in `weights`, the list you are
given (in a real model that list usually holds the weight matrices and not the
biases; that choice is made by whoever builds the list, not inside this
function). Keras' l2(beta) regularizer computes beta * sum(w ** 2), without the
1/2: the lesson's penalty keeps the 1/2.

Check your work with `grader check regularization`.
"""

import tensorflow.compat.v1 as tf


def l2_regularized_loss(loss, weights, beta):
    """Return loss + beta * (sum over weights of 1/2 ||w||^2) as a scalar tensor.

    loss:    a scalar tensor (e.g. the mean cross entropy).
    weights: a list of weight tensors or variables, any shapes.
    beta:    the regularization strength, a float such as 0.01.
    """
    # TODO: add up tf.nn.l2_loss(w) for every w in weights, multiply the sum
    # by beta and add it to loss.
    # TODO: write your code here.
    raise NotImplementedError("not written yet")
