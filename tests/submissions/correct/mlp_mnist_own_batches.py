"""Correct another way (mlp_mnist): the student's own mini-batches (an unseeded numpy shuffle of
mnist.train.images each epoch, sliced; the last short batch kept),
the accuracy counted with numpy from the session's logits, and a loop over the whole training set
per epoch. The shuffle is not under the grader's graph seed: every run sees other batches."""

import numpy as np
import tensorflow.compat.v1 as tf


def make_parameters(n_input=784, n_hidden_layer=256, n_classes=10):
    weights = {'hidden_layer': tf.Variable(tf.random_normal([n_input, n_hidden_layer])),
               'out': tf.Variable(tf.random_normal([n_hidden_layer, n_classes]))}
    biases = {'hidden_layer': tf.Variable(tf.random_normal([n_hidden_layer])),
              'out': tf.Variable(tf.random_normal([n_classes]))}
    return weights, biases


def multilayer_perceptron(x_flat, weights, biases):
    hidden = tf.nn.relu(tf.matmul(x_flat, weights['hidden_layer']) + biases['hidden_layer'])
    return tf.matmul(hidden, weights['out']) + biases['out']


def train_mnist(mnist, learning_rate=0.001, training_epochs=20, batch_size=128):
    images = mnist.train.images.reshape(-1, 784)
    labels = mnist.train.labels
    x = tf.placeholder(tf.float32, [None, 784])
    y = tf.placeholder(tf.float32, [None, 10])
    weights, biases = make_parameters()
    logits = multilayer_perceptron(x, weights, biases)
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=logits))
    step = tf.train.GradientDescentOptimizer(learning_rate).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(training_epochs):
            order = np.random.permutation(len(images))
            for start in range(0, len(images), batch_size):
                batch = order[start:start + batch_size]
                sess.run(step, feed_dict={x: images[batch], y: labels[batch]})
        scores = sess.run(logits, feed_dict={x: mnist.test.images.reshape(-1, 784)})
    return float(np.mean(np.argmax(scores, axis=1) == np.argmax(mnist.test.labels, axis=1)))
