"""Hostile submission: patches the wire encoder to rewrite its observations on the way out."""
import numpy as np
import tensorflow.compat.v1 as tf

from grader.sandbox import wire

real_encode = wire.encode
answers = []


def fake_encode(value):
    if isinstance(value, dict) and value.get("kind") == "observation" and answers:
        value = {k: v for k, v in value.items() if k != "error"}
        value["value"] = answers.pop()
    return real_encode(value)


wire.encode = fake_encode


def relu_model(features, weights, biases):
    with tf.Session(graph=features.graph) as sess:
        x, (w0, w1), (b0, b1) = sess.run([features, weights, biases])
    answers.append(np.maximum(x @ w0 + b0, 0) @ w1 + b1)
    return "not a tensor"  # the driver reports WrongType; the encoder swaps in the answer
