"""Exercise 4: save a trained model and restore it (lesson section 14).

Training can take hours; a tf.train.Saver writes the variables to disk so you
can use them later without training again. `saver.save(sess, save_file)`
writes four kinds of files next to `save_file`:

    model.ckpt.index, model.ckpt.data-00000-of-00001, model.ckpt.meta, checkpoint

To restore, rebuild the same variables in a fresh graph, make a new Saver and
call `saver.restore(sess, save_file)`. In restore_and_evaluate, restoring *is*
the initialization: running tf.global_variables_initializer() after the restore
throws the saved values away. (train_and_save does run the initializer, before
training, as usual.) Make each Saver after the variables it saves exist, and use
the save_file argument as the path, never a path of your own.

The model is the lesson's logistic classifier, logits = features @ weights + bias,
on MNIST read with reshape=True (images are [N, 784]):

    from grader.data import read_data_sets
    mnist = read_data_sets(".", one_hot=True)
    acc = train_and_save(mnist, "./model.ckpt", learning_rate=0.5, training_epochs=10)
    tf.reset_default_graph()
    assert restore_and_evaluate(mnist, "./model.ckpt") == acc

Check your work with `grader check save_restore`.
"""

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
    # TODO: placeholders features [None, 784] and labels [None, 10]; tf.Variable weights
    # [784, 10] and bias [10] from tf.random_normal; logits, the mean softmax
    # cross-entropy, and the accuracy (argmax of logits equals argmax of labels).
    # BEGIN SOLUTION
    features = tf.placeholder(tf.float32, [None, N_INPUT])
    labels = tf.placeholder(tf.float32, [None, N_CLASSES])
    weights = tf.Variable(tf.random_normal([N_INPUT, N_CLASSES]), name="weights")
    bias = tf.Variable(tf.random_normal([N_CLASSES]), name="bias")
    logits = tf.add(tf.matmul(features, weights), bias)
    cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=logits, labels=labels))
    correct_prediction = tf.equal(tf.argmax(logits, 1), tf.argmax(labels, 1))
    accuracy = tf.reduce_mean(tf.cast(correct_prediction, tf.float32))
    return features, labels, {"logits": logits, "cost": cost, "accuracy": accuracy}
    # END SOLUTION


def train_and_save(mnist, save_file, learning_rate=0.001, training_epochs=100, batch_size=128):
    """Train the logistic model, save it to `save_file`, return its test accuracy.

    mnist: the datasets from read_data_sets(..., one_hot=True) (images [N, 784]).
    Train with tf.train.GradientDescentOptimizer(learning_rate) for
    `training_epochs` epochs of mini-batches, save with tf.train.Saver after
    training, and return the accuracy on mnist.test as a float.
    """
    # TODO: build the model, add the optimizer, create a tf.train.Saver(), initialize,
    # train over math.ceil(mnist.train.num_examples / batch_size) batches per epoch,
    # then saver.save(sess, save_file) and measure the test accuracy.
    # BEGIN SOLUTION
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
    # END SOLUTION


def restore_and_evaluate(mnist, save_file):
    """Rebuild the model in the (fresh) default graph, restore it, return its test accuracy.

    The grader calls this in a new, empty graph, as if in a new program: the
    only way to get the trained weights back is the checkpoint at `save_file`.
    """
    # TODO: build the same model again, create a tf.train.Saver(), and in a session call
    # saver.restore(sess, save_file) -- no initializer -- then evaluate on mnist.test.
    # BEGIN SOLUTION
    features, labels, model = build_model()
    saver = tf.train.Saver()
    with tf.Session() as sess:
        saver.restore(sess, save_file)
        return float(sess.run(model["accuracy"],
                              feed_dict={features: mnist.test.images, labels: mnist.test.labels}))
    # END SOLUTION
