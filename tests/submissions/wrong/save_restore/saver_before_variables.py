"""Wrong submission (save_restore): creates the Saver before rebuilding the variables."""

import math

import tensorflow.compat.v1 as tf

N_INPUT = 784    # MNIST data input (img shape: 28*28)
N_CLASSES = 10   # MNIST total classes (0-9 digits)


def build_model():
    """Build the logistic model in the default graph.

    Returns (features, labels, tensors): the two placeholders and a dict with
    the 'logits', 'cost' and 'accuracy' tensors. Both functions below call it,
    so the saved and the restored graph have the same variables.
    """
    features = tf.placeholder(tf.float32, [None, N_INPUT])
    labels = tf.placeholder(tf.float32, [None, N_CLASSES])
    weights = tf.Variable(tf.random_normal([N_INPUT, N_CLASSES]), name="weights")
    bias = tf.Variable(tf.random_normal([N_CLASSES]), name="bias")
    logits = tf.add(tf.matmul(features, weights), bias)
    cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=logits, labels=labels))
    correct_prediction = tf.equal(tf.argmax(logits, 1), tf.argmax(labels, 1))
    accuracy = tf.reduce_mean(tf.cast(correct_prediction, tf.float32))
    return features, labels, {"logits": logits, "cost": cost, "accuracy": accuracy}


def train_and_save(mnist, save_file, learning_rate=0.001, training_epochs=100, batch_size=128):
    """Train the logistic model, save it to `save_file`, return its test accuracy.

    mnist: the datasets from read_data_sets(..., one_hot=True) (images [N, 784]).
    Train with tf.train.GradientDescentOptimizer(learning_rate) for
    `training_epochs` epochs of mini-batches, save with tf.train.Saver after
    training, and return the accuracy on mnist.test as a float.
    """
    features, labels, model = build_model()
    optimizer = tf.train.GradientDescentOptimizer(learning_rate=learning_rate).minimize(model["cost"])
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for epoch in range(training_epochs):
            total_batch = math.ceil(mnist.train.num_examples / batch_size)
            for i in range(total_batch):
                batch_features, batch_labels = mnist.train.next_batch(batch_size)
                sess.run(optimizer, feed_dict={features: batch_features, labels: batch_labels})
        saver.save(sess, save_file)
        return float(sess.run(model["accuracy"],
                              feed_dict={features: mnist.test.images, labels: mnist.test.labels}))


def restore_and_evaluate(mnist, save_file):
    """Rebuild the model in the (fresh) default graph, restore it, return its test accuracy.

    The grader calls this in a new, empty graph, as if in a new program: the
    only way to get the trained weights back is the checkpoint at `save_file`.
    """
    saver = tf.train.Saver()
    features, labels, model = build_model()
    with tf.Session() as sess:
        saver.restore(sess, save_file)
        return float(sess.run(model["accuracy"],
                              feed_dict={features: mnist.test.images, labels: mnist.test.labels}))
