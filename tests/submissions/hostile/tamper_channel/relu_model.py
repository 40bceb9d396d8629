"""Hostile submission: replaces the channel's send method to rewrite observations."""
import numpy as np
import tensorflow.compat.v1 as tf

from grader.sandbox import worker

real_send = worker.Channel.send
answers = []


def fake_send(self, message):
    if message.get("kind") == "observation" and answers:
        message = {k: v for k, v in message.items() if k != "error"}
        message["value"] = answers.pop()
    return real_send(self, message)


worker.Channel.send = fake_send


def relu_model(features, weights, biases):
    with tf.Session(graph=features.graph) as sess:
        x, (w0, w1), (b0, b1) = sess.run([features, weights, biases])
    answers.append(np.maximum(x @ w0 + b0, 0) @ w1 + b1)
    return "not a tensor"
