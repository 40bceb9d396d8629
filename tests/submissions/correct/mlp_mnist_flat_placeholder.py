"""Correct another way (mlp_mnist): truncated-normal initialization, a [None, 784] placeholder
fed with numpy-reshaped batches, math.ceil batches, and a numpy float32 returned as is."""

import math

import tensorflow.compat.v1 as tf


def make_parameters(n_input=784, n_hidden_layer=256, n_classes=10):
    weights = {
        'hidden_layer': tf.Variable(tf.truncated_normal([n_input, n_hidden_layer], stddev=0.1)),
        'out': tf.Variable(tf.truncated_normal([n_hidden_layer, n_classes], stddev=0.1)),
    }
    biases = {
        'hidden_layer': tf.Variable(tf.zeros([n_hidden_layer])),
        'out': tf.Variable(tf.zeros([n_classes])),
    }
    return weights, biases


def multilayer_perceptron(x_flat, weights, biases):
    hidden = tf.nn.relu(tf.matmul(x_flat, weights['hidden_layer']) + biases['hidden_layer'])
    return tf.matmul(hidden, weights['out']) + biases['out']


def train_mnist(mnist, learning_rate, training_epochs, batch_size):
    x = tf.placeholder(tf.float32, [None, 784])
    y = tf.placeholder(tf.float32, [None, 10])
    weights, biases = make_parameters()
    logits = multilayer_perceptron(x, weights, biases)
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=logits))
    train_op = tf.train.GradientDescentOptimizer(learning_rate).minimize(loss)
    hits = tf.equal(tf.argmax(logits, axis=1), tf.argmax(y, axis=1))
    accuracy = tf.reduce_mean(tf.cast(hits, tf.float32))
    test_x = mnist.test.images.reshape(-1, 784)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(training_epochs):
            for _ in range(math.ceil(mnist.train.num_examples / batch_size)):
                bx, by = mnist.train.next_batch(batch_size)
                sess.run(train_op, {x: bx.reshape(-1, 784), y: by})
            print('loss', sess.run(loss, {x: test_x, y: mnist.test.labels}))
        result = sess.run(accuracy, {x: test_x, y: mnist.test.labels})
    return result
