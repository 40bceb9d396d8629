import tensorflow.compat.v1 as tf


def dropout_model(features, weights, biases, keep_prob):
    hidden_layer = tf.nn.relu(tf.add(tf.matmul(features, weights[0]), biases[0]))
    logits = tf.add(tf.matmul(hidden_layer, weights[1]), biases[1])
    return tf.nn.dropout(logits, keep_prob)
