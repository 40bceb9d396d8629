# The lesson's save / restore / finetune walk-through (sections 14 and 15), TensorFlow 1 style.
import math

import numpy as np
import tensorflow as tf

# --- Saving variables
save_file = './model.ckpt'
weights = tf.Variable(tf.truncated_normal([2, 3]))
bias = tf.Variable(tf.truncated_normal([3]))
saver = tf.train.Saver()
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    saved_weights = sess.run(weights)
    saved_bias = sess.run(bias)
    saver.save(sess, save_file)

# --- Loading variables
tf.reset_default_graph()
weights = tf.Variable(tf.truncated_normal([2, 3]))
bias = tf.Variable(tf.truncated_normal([3]))
saver = tf.train.Saver()
with tf.Session() as sess:
    saver.restore(sess, save_file)
    restored_weights = sess.run(weights)
    restored_bias = sess.run(bias)

# --- Save a trained model
tf.reset_default_graph()

from tensorflow.examples.tutorials.mnist import input_data

learning_rate = 0.001
n_input = 784
n_classes = 10
mnist = input_data.read_data_sets('.', one_hot=True)

features = tf.placeholder(tf.float32, [None, n_input])
labels = tf.placeholder(tf.float32, [None, n_classes])
weights = tf.Variable(tf.random_normal([n_input, n_classes]))
bias = tf.Variable(tf.random_normal([n_classes]))
logits = tf.add(tf.matmul(features, weights), bias)
cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=logits, labels=labels))
optimizer = tf.train.GradientDescentOptimizer(learning_rate=learning_rate).minimize(cost)
correct_prediction = tf.equal(tf.argmax(logits, 1), tf.argmax(labels, 1))
accuracy = tf.reduce_mean(tf.cast(correct_prediction, tf.float32))

save_file = './train_model.ckpt'
batch_size = 128
n_epochs = 100
saver = tf.train.Saver()
valid_accuracies = []
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for epoch in range(n_epochs):
        total_batch = math.ceil(mnist.train.num_examples / batch_size)
        for i in range(total_batch):
            batch_features, batch_labels = mnist.train.next_batch(batch_size)
            sess.run(optimizer, feed_dict={features: batch_features, labels: batch_labels})
        if epoch % 10 == 0:
            valid_accuracy = sess.run(accuracy, feed_dict={
                features: mnist.validation.images, labels: mnist.validation.labels})
            print('Epoch {:<3} - Validation Accuracy: {}'.format(epoch, valid_accuracy))
            valid_accuracies.append(valid_accuracy)
    trained_test_accuracy = sess.run(accuracy, feed_dict={features: mnist.test.images, labels: mnist.test.labels})
    saver.save(sess, save_file)
    print('Trained Model Saved.')

# --- Load a trained model
saver = tf.train.Saver()
with tf.Session() as sess:
    saver.restore(sess, save_file)
    test_accuracy = sess.run(accuracy, feed_dict={features: mnist.test.images, labels: mnist.test.labels})
print('Test Accuracy: {}'.format(test_accuracy))
valid_accuracies = np.array(valid_accuracies)

# --- Finetuning: the naming error
tf.reset_default_graph()
save_file = 'model.ckpt'
weights = tf.Variable(tf.truncated_normal([2, 3]))
bias = tf.Variable(tf.truncated_normal([3]))
saver = tf.train.Saver()
unnamed_names = weights.name + ' ' + bias.name
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    saver.save(sess, save_file)
tf.reset_default_graph()
bias = tf.Variable(tf.truncated_normal([3]))
weights = tf.Variable(tf.truncated_normal([2, 3]))
saver = tf.train.Saver()
naming_error = ''
with tf.Session() as sess:
    try:
        saver.restore(sess, save_file)
    except Exception as exc:  # the lesson's "Assign requires shapes of both tensors to match"
        naming_error = type(exc).__name__ + ': ' + str(exc)

# --- Finetuning: named variables fix it
tf.reset_default_graph()
weights = tf.Variable(tf.truncated_normal([2, 3]), name='weights_0')
bias = tf.Variable(tf.truncated_normal([3]), name='bias_0')
saver = tf.train.Saver()
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    named_saved = sess.run(weights)
    saver.save(sess, save_file)
tf.reset_default_graph()
bias = tf.Variable(tf.truncated_normal([3]), name='bias_0')
weights = tf.Variable(tf.truncated_normal([2, 3]), name='weights_0')
saver = tf.train.Saver()
with tf.Session() as sess:
    saver.restore(sess, save_file)
    named_restored = sess.run(weights)
named_names = weights.name + ' ' + bias.name
print('Loaded Weights and Bias successfully.')
