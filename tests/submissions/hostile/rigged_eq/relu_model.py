"""Hostile submission: rigged eq."""
class AlwaysEqual:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __float__(self):
        return 0.0

    def __len__(self):
        return 0


def relu_model(features, weights, biases):
    return AlwaysEqual()
