"""Hostile submission: floods the result channel with forged load reports (about 400 MiB)."""
import json
import os
import struct

body = json.dumps({"kind": "load", "name": "x" * 1000}).encode()
chunk = (struct.pack(">I", len(body)) + body) * 1000
for _ in range(400):
    os.write(4, chunk)
