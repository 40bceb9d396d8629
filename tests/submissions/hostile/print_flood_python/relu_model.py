"""Hostile submission: print flood python."""
def relu_model(features, weights, biases):
    line = "y" * 1000
    for _ in range(200_000):  # 200 MB through print()
        print(line)
    return None
