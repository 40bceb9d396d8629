"""Hostile submission: wrong return type."""
def relu_model(features, weights, biases):
    return "logits"
