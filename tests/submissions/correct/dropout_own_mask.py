import tensorflow.compat.v1 as tf


def dropout_model(features, weights, biases, keep_prob):
    hidden = tf.nn.relu(tf.matmul(features, weights[0]) + biases[0])
    # floor(keep_prob + U[0, 1)) is 1 with probability keep_prob.
    mask = tf.floor(keep_prob + tf.random_uniform(tf.shape(hidden), seed=7))
    hidden = hidden * mask / keep_prob
    return tf.matmul(hidden, weights[1]) + biases[1]
