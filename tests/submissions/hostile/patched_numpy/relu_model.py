"""Hostile submission: patched numpy."""
import numpy as np
import tensorflow.compat.v1 as tf

np.allclose = lambda *a, **k: True
np.isclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None


def relu_model(features, weights, biases):
    return tf.zeros([tf.shape(features)[0], tf.shape(weights[1])[1]])
