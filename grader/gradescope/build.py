"""`grader gradescope --out autograder.zip`: a Gradescope autograder for the whole catalogue.

Zip layout (Gradescope unpacks it to /autograder/source and copies run_autograder
to /autograder/run_autograder):

    setup.sh                      installs python3-venv and the requirements into /autograder/venv
    run_autograder                grades /autograder/submission into /autograder/results/results.json
    requirements.txt              pyproject.toml's dependencies, word for word: what `grader grade` uses
    grader/...                    the grader, hidden checks included
    reference/observations.json   the reference solutions' observations, computed now
    seed/.grader-seed             the course seed the hidden checks and the reference were built from
                                  (mode 600; run_autograder keeps it root-only and from student code)

Solutions are not shipped: the precomputed reference makes them unnecessary, so a
submission costs one TensorFlow import plus its own probes. The seed is shipped because
the hidden checks are rebuilt from it on Gradescope: without it they would come from the
public development seed and no longer match the reference (every student would get 0).
"""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

from grader.errors import UsageError
from grader import reference as shipped
from grader.gradescope.run import REFERENCE_FILE, SEED_FILE
from grader.paths import PACKAGE_DIR, Paths

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the same parser, as a dependency (see pyproject)
    import tomli as tomllib  # type: ignore[no-redef]

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, on its Ubuntu image when the autograder is uploaded.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq python3 python3-venv python3-pip >/dev/null
# requirements.txt is pyproject.toml's dependency list, environment markers included, so pip
# picks what `pip install .` picks on this Python (3.10 to 3.13): tensorflow-cpu, tf-keras, ...
python3 -m venv /autograder/venv
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
chmod -R go-rwx "$SRC/reference" "$SRC/seed" "$SRC/grader/judging" 2>/dev/null || true
cd "$SRC"
export PYTHONPATH="$SRC" TF_CPP_MIN_LOG_LEVEL=2 GRADER_GRADESCOPE_ROOT="$ROOT"
exec "$PY" -m grader.gradescope.run
"""


def requirements(pyproject: Path | None = None) -> str:
    """requirements.txt: the course's pyproject.toml `dependencies`, one a line, markers kept.

    One source of truth: Gradescope installs exactly what `pip install .` installs for
    `grader grade` (tf-keras included, without which `tf.layers` fails to load), never a
    second list that can drift from it.
    """
    path = pyproject or PACKAGE_DIR.parent / "pyproject.toml"
    try:
        with open(path, "rb") as f:
            deps = tomllib.load(f).get("project", {}).get("dependencies")
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"cannot read the dependencies from {path}: {exc}") from exc
    if not isinstance(deps, list) or not deps or not all(isinstance(d, str) for d in deps):
        raise UsageError(f"{path} has no [project] dependencies list to install on Gradescope")
    return "".join(f"{d}\n" for d in deps)


def _add(zf: zipfile.ZipFile, name: str, data: str | bytes, executable: bool = False, mode: int = 0o644) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = ((0o755 if executable else mode) | stat.S_IFREG) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)


def package_files(package: Path = PACKAGE_DIR) -> list[Path]:
    return sorted(f for f in package.rglob("*") if f.is_file() and "__pycache__" not in f.parts
                  and f.suffix not in (".pyc", ".pyo"))


def build(paths: Paths, out: Path, reference_text: str | None = None) -> list[str]:
    """Write the autograder zip; returns the names in it. The reference is computed unless given."""
    if out.suffix != ".zip":
        raise UsageError(f"{out}: the autograder must be a .zip file")
    from grader.judging.oracles.secret import course_seed

    requirements_text = requirements(paths.root / "pyproject.toml")
    if reference_text is None:
        reference_text = compute_reference_text(paths)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        _add(zf, "setup.sh", SETUP_SH, executable=True)
        _add(zf, "run_autograder", RUN_AUTOGRADER, executable=True)
        _add(zf, "requirements.txt", requirements_text)
        for f in package_files(paths.package):
            _add(zf, "grader/" + f.relative_to(paths.package).as_posix(), f.read_bytes())
        _add(zf, REFERENCE_FILE.as_posix(), reference_text)
        # The seed this process built the hidden checks (and so the reference) from.
        _add(zf, SEED_FILE.as_posix(), f"{course_seed(paths)}\n", mode=0o600)
        names = zf.namelist()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(buf.getvalue())
    return names


def compute_reference_text(paths: Paths) -> str:
    """Run the reference solutions through every probe, hidden ones included."""
    from grader.judging.checks import load_checks
    from grader.runner.choice import make_runner

    if not paths.solutions.is_dir():
        raise UsageError(f"no reference solutions at {paths.solutions}: run this in the course repository")
    checks = load_checks()
    with make_runner(None, 1) as runner:  # the same provider every grading path uses, never a cache
        observations = shipped.ReferenceProvider(solutions=paths.solutions).obtain(runner, checks)
    assert observations is not None  # wanted: solutions are given
    return shipped.dumps(observations, checks, shipped.solutions_digest(paths.solutions))
