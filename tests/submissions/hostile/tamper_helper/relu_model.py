"""Hostile submission: patches a helper in the driver module's globals.

relu_model returns zeros, but works out the right logits with numpy on the
side; the patched `to_array` (which the driver calls to turn the logits into
data) hands those over instead, then puts itself back to cover its tracks.
"""
import numpy as np
import tensorflow.compat.v1 as tf

from grader.sandbox.drivers import relu_model as driver_module

real_to_array = driver_module.to_array
answer = []


def fake_to_array(value, what, session=None, feed=None):
    driver_module.to_array = real_to_array  # gone again before anyone looks
    return answer.pop()


def relu_model(features, weights, biases):
    with tf.Session(graph=features.graph) as sess:
        x, (w0, w1), (b0, b1) = sess.run([features, weights, biases])
    answer.append(np.maximum(x @ w0 + b0, 0) @ w1 + b1)
    driver_module.to_array = fake_to_array
    return tf.zeros([tf.shape(features)[0], tf.shape(weights[1])[1]])
