import tensorflow.compat.v1 as tf


def l2_regularized_loss(loss, weights, beta):
    return loss + tf.add_n([tf.nn.l2_loss(w) for w in weights])
