"""Hostile submission: memory one shot."""
def relu_model(features, weights, biases):
    return bytearray(64 << 30)  # 64 GiB at once
