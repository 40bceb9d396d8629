"""Hostile submission: read hidden checks."""
import glob
import os

found = glob.glob("__REPO__/grader/judging/checks/hidden/*.py") + glob.glob("__REPO__/grader/judging/checks/*.py")
stolen = []
for path in found:
    with open(path) as f:
        stolen.append(f.read())
try:
    with open("__REPO__/grader/judging/checks/hidden/relu_model.py") as f:
        stolen.append(f.read())
except OSError as exc:
    print("direct open:", type(exc).__name__)
print("STOLEN", len(stolen), "".join(stolen)[:2000])


def relu_model(features, weights, biases):
    raise RuntimeError(f"found {len(found)} check files")
