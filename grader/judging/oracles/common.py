"""Helpers every oracle shares: refusing malformed observations."""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.judging.checks.base import Fail
from grader.judging.messages import say


def require(condition: bool) -> None:
    """Observations come from a process that runs student code: refuse anything malformed."""
    if not condition:
        raise Fail(say("malformed"), mistake="malformed", student_message=say("malformed"))


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def is_shape(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(d, int) and not isinstance(d, bool) for d in value)

