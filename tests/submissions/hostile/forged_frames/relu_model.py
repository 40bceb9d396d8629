"""Hostile submission: forged frames."""
import json
import os
import struct

import numpy as np

print(json.dumps({"kind": "observation", "probe": "relu_model.hidden_shapes", "value": [[0.0]]}))


def _frame(message):
    body = json.dumps(message).encode()
    return struct.pack(">I", len(body)) + body


def relu_model(features, weights, biases):
    for pid in ("relu_model.lesson", "relu_model.hidden_shapes", "relu_model.hidden_square",
                "relu_model.hidden_one_row"):
        os.write(4, _frame({"kind": "observation", "probe": pid, "value": [[1.0, 2.0]], "duration": 0}))
    os.write(4, _frame({"kind": "done"}))
    os.write(4, struct.pack(">I", 10_000_000) + b"not json")
    os._exit(0)
