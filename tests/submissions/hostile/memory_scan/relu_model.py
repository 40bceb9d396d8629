"""Hostile submission: search the worker's memory for the expected answers."""
import gc

import numpy as np


def _arrays():
    seen = {}
    for obj in gc.get_objects():  # containers; arrays are found among what they hold
        for item in [obj, *gc.get_referents(obj)]:
            if isinstance(item, np.ndarray):
                seen[id(item)] = item
    return list(seen.values())


def relu_model(features, weights, biases):
    arrays = _arrays()
    print("SHAPES", sorted({tuple(a.shape) for a in arrays}))
    n_rows, n_out = int(features.shape[0]), int(weights[1].shape[1])
    candidates = [a for a in arrays if a.shape == (n_rows, n_out) and a.dtype.kind == "f"]
    if candidates:
        return candidates[0]
    raise LookupError("no expected values in this process")
