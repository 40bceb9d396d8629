# The lesson's dropout model (section 22), TensorFlow 1 style: tf.nn.dropout(x, keep_prob).
import numpy as np
import tensorflow as tf

hidden_layer_weights = [
    [0.1, 0.2, 0.4],
    [0.4, 0.6, 0.6],
    [0.5, 0.9, 0.1],
    [0.8, 0.2, 0.8]]
out_weights = [
    [0.1, 0.6],
    [0.2, 0.1],
    [0.7, 0.9]]

weights = [
    tf.Variable(hidden_layer_weights),
    tf.Variable(out_weights)]
biases = [
    tf.Variable(tf.zeros(3)),
    tf.Variable(tf.zeros(2))]

features = tf.Variable([[0.0, 2.0, 3.0, 4.0], [0.1, 0.2, 0.3, 0.4], [11.0, 12.0, 13.0, 14.0]])

keep_prob = tf.placeholder(tf.float32)
hidden_layer = tf.add(tf.matmul(features, weights[0]), biases[0])
hidden_layer = tf.nn.relu(hidden_layer)
dropped = tf.nn.dropout(hidden_layer, keep_prob)
logits = tf.add(tf.matmul(dropped, weights[1]), biases[1])

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    output = sess.run(logits, feed_dict={keep_prob: 0.5})
    no_dropout = sess.run(logits, feed_dict={keep_prob: 1.0})
    hidden = sess.run(hidden_layer)
    # keep_prob semantics: with 0.8 about 80% of the units survive, scaled by 1/0.8.
    kept = [sess.run(dropped, feed_dict={keep_prob: 0.8}) for _ in range(200)]
kept = np.array(kept)
kept_fraction = float(np.mean(kept != 0))
kept_scale = float(np.max(kept[:, 0, 1]) / hidden[0, 1])
print(output)
