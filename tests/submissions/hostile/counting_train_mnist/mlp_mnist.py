"""Hostile submission: a train_mnist that counts its calls.

It never trains. The first call (the real test labels) gets a plausible typed-in
accuracy; every later call (the grader's shuffled-labels rerun, in the same
process) gets chance. Only a shuffled run in a fresh process, where this is
the first call again, gives it away.
"""
calls = []


def train_mnist(mnist, learning_rate=0.001, training_epochs=20, batch_size=128):
    calls.append(1)
    return 0.87 if len(calls) == 1 else 0.1
