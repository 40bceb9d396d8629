"""Wrong submission (mlp_mnist): the hidden weights are [n_hidden_layer, n_input]."""

import tensorflow.compat.v1 as tf


def make_parameters(n_input=784, n_hidden_layer=256, n_classes=10):
    """Create the network's variables, drawn from a normal distribution.

    Returns (weights, biases): two dicts keyed 'hidden_layer' and 'out'.
    weights['hidden_layer'] is [n_input, n_hidden_layer], weights['out'] is
    [n_hidden_layer, n_classes]; the biases are [n_hidden_layer] and [n_classes].
    """
    weights = {
        "hidden_layer": tf.Variable(tf.random_normal([n_hidden_layer, n_input])),
        "out": tf.Variable(tf.random_normal([n_hidden_layer, n_classes])),
    }
    biases = {
        "hidden_layer": tf.Variable(tf.random_normal([n_hidden_layer])),
        "out": tf.Variable(tf.random_normal([n_classes])),
    }
    return weights, biases


def multilayer_perceptron(x_flat, weights, biases):
    """Return the logits of the 2-layer network for a [batch, n_input] tensor.

    The hidden layer is x_flat @ W + b passed through tf.nn.relu; the output
    layer is linear (no activation: the softmax lives in the loss).
    """
    layer_1 = tf.add(tf.matmul(x_flat, weights["hidden_layer"]), biases["hidden_layer"])
    layer_1 = tf.nn.relu(layer_1)
    return tf.add(tf.matmul(layer_1, weights["out"]), biases["out"])


def train_mnist(mnist, learning_rate=0.001, training_epochs=20, batch_size=128):
    """Train the network on mnist.train and return its accuracy on mnist.test.

    mnist: the datasets from read_data_sets(..., one_hot=True, reshape=False).
    Build the graph (placeholders, parameters, logits, loss, optimizer,
    accuracy), run `training_epochs` epochs of mini-batches of `batch_size`
    with tf.train.GradientDescentOptimizer(learning_rate), then return the
    accuracy on mnist.test.images / mnist.test.labels as a float. The grader
    checks that this number really comes from the test set.
    """
    n_input, n_classes = 784, 10
    x = tf.placeholder(tf.float32, [None, 28, 28, 1])
    y = tf.placeholder(tf.float32, [None, n_classes])
    x_flat = tf.reshape(x, [-1, n_input])

    weights, biases = make_parameters(n_input, 256, n_classes)
    logits = multilayer_perceptron(x_flat, weights, biases)

    cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=logits, labels=y))
    optimizer = tf.train.GradientDescentOptimizer(learning_rate=learning_rate).minimize(cost)

    correct_prediction = tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1))
    accuracy = tf.reduce_mean(tf.cast(correct_prediction, tf.float32))

    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for epoch in range(training_epochs):
            total_batch = mnist.train.num_examples // batch_size
            for i in range(total_batch):
                batch_x, batch_y = mnist.train.next_batch(batch_size)
                sess.run(optimizer, feed_dict={x: batch_x, y: batch_y})
        return float(sess.run(accuracy, feed_dict={x: mnist.test.images, y: mnist.test.labels}))
