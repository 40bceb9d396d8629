"""Hostile submission: read other submission."""
def relu_model(features, weights, biases):
    with open("__OTHER__") as f:
        return f.read()
