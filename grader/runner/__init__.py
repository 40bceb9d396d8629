"""The trusted side of running: asks the zygote for workers, enforces limits, collects plain data.

runner (Runner: the zygote and the slots), scheduler (admission, retries),
groups (which probes share a worker, artifacts, composing the outcome),
channel (framing, Collector), limits (Limits, deadlines), memory (the slot poll),
cgroups (memory.max per slot where the kernel offers cgroup v2).
"""

from grader.runner.channel import Collector
from grader.runner.limits import Limits
from grader.runner.runner import Runner

__all__ = ["Collector", "Limits", "Runner"]
