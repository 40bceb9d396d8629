"""The trusted side of running: asks the zygote for workers, enforces limits, collects plain data.

runner (Runner: the zygote and the slots), scheduler (admission, retries),
channel (framing, Collector), limits (Limits, deadlines), memory (the slot poll).
"""

from grader.runner.channel import Collector
from grader.runner.limits import Limits
from grader.runner.runner import Runner

__all__ = ["Collector", "Limits", "Runner"]
