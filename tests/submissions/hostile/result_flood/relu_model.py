"""Hostile submission: floods the result channel with forged load reports (about 400 MiB).

Frames of 100 KB, so that the flood reaches the channel limit within the load
timeout even on a busy machine.
"""
import json
import os
import struct

body = json.dumps({"kind": "load", "name": "x" * 1000, "output": "y" * 100_000}).encode()
chunk = (struct.pack(">I", len(body)) + body) * 40
for _ in range(100):
    os.write(4, chunk)
