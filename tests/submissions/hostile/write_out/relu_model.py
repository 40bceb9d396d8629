"""Hostile submission: write out."""
import os

written = []
for path in ("__OUT__/results.json", "__OUT__/evil.txt", "__REPO__/evil.txt", "/evil.txt", "/var/tmp/evil.txt"):
    try:
        with open(path, "w") as f:
            f.write("pwned")
        written.append(path)
    except OSError as exc:
        print(path, type(exc).__name__)


def relu_model(features, weights, biases):
    raise RuntimeError(f"wrote {written}")
