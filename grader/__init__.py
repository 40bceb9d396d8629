"""grader: autograder and exercise harness for the deep-neural-networks lesson.

`import grader; grader.check("relu_model")` checks an exercise from a notebook
(see grader.notebook_check); it is imported on first use, so `import grader` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"
# Set by the worker before it runs student code: a notebook being graded must not start a grader.
_in_worker = False


def check(exercise: str, **options: Any) -> Any:
    """Check `exercise` with the public checks and show the result (see grader.notebook_check)."""
    if _in_worker:
        return None  # a notebook being graded: its check cell must not start a grader inside the worker
    return importlib.import_module("grader.notebook_check").check(exercise, **options)
