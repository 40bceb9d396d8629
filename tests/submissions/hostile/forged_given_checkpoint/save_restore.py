"""Hostile submission: wants the restore points without a working train_and_save or a real restore.

It tampers with the checkpoint it is handed, in both ways open to code in the worker: it makes
TensorFlow's checkpoint reader (which the grader's driver also uses to report what the checkpoint
holds) see all-zero weights, and restore_and_evaluate overwrites the checkpoint files next to
save_file with an all-zero model before "restoring". It then reports that model's accuracy (every
digit predicted as 0: one in ten). Judged on what the worker reports, that is a consistent restore;
judged on the model the grader handed out, it is not.
"""

import numpy as np
import tensorflow.compat.v1 as tf

_real_load_checkpoint = tf.train.load_checkpoint


class _ZeroReader:
    def __init__(self, real):
        self.real = real

    def get_variable_to_shape_map(self):
        return self.real.get_variable_to_shape_map()

    def get_variable_to_dtype_map(self):
        return self.real.get_variable_to_dtype_map()

    def get_tensor(self, name):
        return np.zeros_like(self.real.get_tensor(name))


def _zero_load_checkpoint(path):
    return _ZeroReader(_real_load_checkpoint(path))


tf.train.load_checkpoint = _zero_load_checkpoint


def train_and_save(mnist, save_file, learning_rate=0.001, training_epochs=100, batch_size=128):
    raise RuntimeError("no training today")


def restore_and_evaluate(mnist, save_file):
    with tf.Graph().as_default():
        weights = tf.Variable(tf.zeros([784, 10]))
        bias = tf.Variable(tf.zeros([10]))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            tf.train.Saver().save(sess, save_file)   # the handed checkpoint, overwritten
    labels = np.argmax(mnist.test.labels, axis=1)
    return float(np.mean(labels == 0))
