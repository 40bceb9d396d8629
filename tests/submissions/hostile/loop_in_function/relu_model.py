"""Hostile submission: loop in function."""
def relu_model(features, weights, biases):
    while True:
        pass
