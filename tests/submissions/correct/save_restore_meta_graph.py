"""Correct another way (save_restore): named tensors, and a restore through the .meta graph
with tf.train.import_meta_graph instead of rebuilding the model in Python."""

import tensorflow.compat.v1 as tf


def train_and_save(mnist, save_file, learning_rate=0.001, training_epochs=100, batch_size=128):
    features = tf.placeholder(tf.float32, [None, 784], name='features')
    labels = tf.placeholder(tf.float32, [None, 10], name='labels')
    weights = tf.Variable(tf.random_normal([784, 10]))
    bias = tf.Variable(tf.random_normal([10]))
    logits = tf.add(tf.matmul(features, weights), bias, name='logits')
    cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=logits, labels=labels))
    train = tf.train.GradientDescentOptimizer(learning_rate).minimize(cost)
    correct = tf.equal(tf.argmax(logits, 1), tf.argmax(labels, 1))
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32), name='accuracy')
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        steps = training_epochs * (mnist.train.num_examples // batch_size)
        for _ in range(steps):
            bx, by = mnist.train.next_batch(batch_size)
            sess.run(train, feed_dict={features: bx, labels: by})
        saver.save(sess, save_file)
        return sess.run(accuracy, feed_dict={features: mnist.test.images, labels: mnist.test.labels})


def restore_and_evaluate(mnist, save_file):
    saver = tf.train.import_meta_graph(save_file + '.meta')
    graph = tf.get_default_graph()
    with tf.Session() as sess:
        saver.restore(sess, save_file)
        value = sess.run('accuracy:0', feed_dict={'features:0': mnist.test.images,
                                                  'labels:0': mnist.test.labels})
    return value.reshape(())  # a 0-d array is fine too
