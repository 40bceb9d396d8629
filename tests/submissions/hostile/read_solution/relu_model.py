"""Hostile submission: read solution."""
def relu_model(features, weights, biases):
    with open("__REPO__/solutions/relu_model.py") as f:
        source = f.read()
    namespace = {}
    exec(source, namespace)
    return namespace["relu_model"](features, weights, biases)
