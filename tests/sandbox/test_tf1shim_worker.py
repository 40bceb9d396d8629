"""Inside a worker, where the TF1 shim is installed: student imports get TF 1,
every other importer still gets the real TensorFlow 2 package.

Replaces tests/sandbox/test_tf1shim.py::test_import_tensorflow_outside_the_harness_is_untouched,
which looked at the test process, where no worker ever installs anything.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from grader.model import Probe
from grader.runner.runner import Limits, Runner

STUDENT = '''
import builtins
import sys

import tensorflow as tf                      # a student import: TF 1 through the shim
import tensorflow.compat.v1 as student_v1

# What any other code in this worker (drivers, the grader, libraries) gets:
# code whose globals are not a student module's.
outside = {"__name__": "not_a_student_module"}
exec("import tensorflow as t\\nimport tensorflow.compat.v1 as v1\\nfrom tensorflow import nn", outside)
real = sys.modules["tensorflow"]

shim_active = getattr(builtins.__import__, "__module__", "") == "grader.sandbox.tf1shim"
student_sees_tf1 = hasattr(tf, "placeholder") and tf is not real
student_v1_is_real_v1 = student_v1 is real.compat.v1
sys_modules_is_real = real.__name__ == "tensorflow" and hasattr(real, "function") and not hasattr(real, "placeholder")
outside_gets_real = outside["t"] is real and outside["v1"] is real.compat.v1 and outside["nn"] is real.nn
no_fake_modules = ",".join(sorted(m for m in sys.modules if m.startswith("tensorflow.examples")))
'''

NAMES = ["shim_active", "student_sees_tf1", "student_v1_is_real_v1", "sys_modules_is_real", "outside_gets_real",
         "no_fake_modules"]


@pytest.fixture(scope="module")
def worker_runner() -> Iterator[Runner]:
    with Runner(Limits(load_timeout=60, student_timeout=120), jobs=1) as r:
        yield r


@pytest.mark.slow
def test_only_student_imports_see_tf1_inside_a_worker(worker_runner: Runner) -> None:
    outcome = worker_runner.run({"shimcheck.py": STUDENT}, [Probe("values", "top_level_values", {"names": NAMES})])
    assert outcome.loads[0].error is None, outcome.loads[0].error
    obs = outcome.observations["values"]
    assert obs.error is None, obs.error
    values = obs.value
    assert values["shim_active"] is True  # the property is checked where the shim is installed
    assert values["student_sees_tf1"] is True and values["student_v1_is_real_v1"] is True
    assert values["sys_modules_is_real"] is True
    assert values["outside_gets_real"] is True
    assert values["no_fake_modules"] == ""  # the shim's modules never enter sys.modules
