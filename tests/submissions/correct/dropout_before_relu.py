import tensorflow.compat.v1 as tf


def dropout_model(features, weights, biases, keep_prob):
    # relu(dropout(z)) == dropout(relu(z)): dropping and scaling commute with max(0, .).
    z = tf.add(tf.matmul(features, weights[0]), biases[0])
    hidden = tf.nn.relu(tf.nn.dropout(z, keep_prob))
    return tf.add(tf.matmul(hidden, weights[1]), biases[1])
