"""Not hostile: a correct answer that writes scratch files, which no other worker may see."""
import os

import tensorflow.compat.v1 as tf

for folder in ("/tmp", "/var/tmp", "/dev/shm"):
    marker = os.path.join(folder, "grader-test-marker")
    if os.path.exists(marker):
        raise RuntimeError(f"saw another worker's {marker}")
    with open(marker, "w") as f:
        f.write("mine")
print("CWD", os.getcwd())


def relu_model(features, weights, biases):
    hidden = tf.nn.relu(tf.add(tf.matmul(features, weights[0]), biases[0]))
    return tf.add(tf.matmul(hidden, weights[1]), biases[1])
