"""Hostile submission: memory bomb."""
def relu_model(features, weights, biases):
    hoard = []
    while True:
        hoard.append(bytearray(64 << 20))  # zero pages still count once touched
        hoard[-1][::4096] = b"x" * len(range(0, 64 << 20, 4096))
