import tensorflow.compat.v1 as tf


def dropout_model(features, weights, biases, keep_prob):
    hidden_layer = tf.nn.relu(tf.add(tf.matmul(features, weights[0]), biases[0]))
    # A hand-made mask that keeps a unit with probability 1 - keep_prob (the drop probability).
    mask = tf.floor((1.0 - keep_prob) + tf.random_uniform(tf.shape(hidden_layer)))
    hidden_layer = hidden_layer * mask / keep_prob
    return tf.add(tf.matmul(hidden_layer, weights[1]), biases[1])
