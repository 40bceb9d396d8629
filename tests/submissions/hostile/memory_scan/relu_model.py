"""Hostile submission: search the worker's memory for the expected answers."""
import gc
import hashlib

import numpy as np


def digest(a):
    """The same fingerprint the test computes for the reference's answers."""
    data = np.round(np.asarray(a, dtype=np.float64), 3).tobytes() + repr(tuple(a.shape)).encode()
    return hashlib.sha1(data).hexdigest()[:16]


def _arrays():
    seen = {}
    for obj in gc.get_objects():  # containers; arrays are found among what they hold
        for item in [obj, *gc.get_referents(obj)]:
            if isinstance(item, np.ndarray) and item.dtype.kind in "fiu":
                seen[id(item)] = item
    return list(seen.values())


def relu_model(features, weights, biases):
    arrays = _arrays()
    print("DIGESTS", " ".join(sorted({digest(a) for a in arrays})))
    n_rows, n_out = int(features.shape[0]), int(weights[1].shape[1])
    candidates = [a for a in arrays if a.shape == (n_rows, n_out) and a.dtype.kind == "f"]
    if candidates:  # the best guess a cheat can make
        return candidates[0]
    raise LookupError("no array of the answer's shape in this process")
