"""The course's secret seed, from which every hidden input is generated (per submission, with the
student's id and the files' digest: `submission_seed`).

Read from the environment variable GRADER_SECRET_SEED, else from
`solutions/.grader-seed` (written by `grader assign` when absent, never released
with the student bundle). A leaked set of hidden inputs from one term then does
not help the next. Without either, a fixed development seed is used: it is written
in this public file, so anyone can compute the hidden inputs from it. Grading real
submissions therefore calls `require_course_seed` first, which refuses unless a
course seed exists or the caller opted into the development seed (`--dev-seed`,
`--example`, the project's own tests).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import zlib
from pathlib import Path

import numpy as np

from grader.errors import NoCourseSeed
from grader.paths import Paths

ENV = "GRADER_SECRET_SEED"
SEED_FILE = ".grader-seed"
DEVELOPMENT_SEED = 20170201


def parse_seed(text: str) -> int:
    """Any text is a seed: a number as itself, anything else by its digest."""
    text = text.strip()
    if text.isdigit():
        return int(text) % 2**63
    return zlib.crc32(text.encode("utf-8", "surrogatepass"))


def seed_file(paths: Paths) -> Path:
    return paths.solutions / SEED_FILE


def seed_source(paths: Paths | None = None) -> str | None:
    """Where the course seed comes from (the variable's name or the file's path), or None when
    only the public development seed is left."""
    if os.environ.get(ENV):
        return ENV
    path = seed_file(paths or Paths.discover())
    try:
        path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return str(path)


def require_course_seed(paths: Paths, allow_development: bool = False) -> str:
    """Where the course seed comes from; NoCourseSeed, before anything is graded, when there is
    none and the public development seed was not asked for. "development seed" when it was."""
    source = seed_source(paths)
    if source is not None:
        return source
    if allow_development:
        return "development seed"
    raise NoCourseSeed(
        f"no course seed: neither {ENV} is set nor {seed_file(paths)} exists, so the hidden inputs would "
        "come from the public development seed, which anyone can read in the grader's source. Set "
        f"{ENV} (e.g. from your CI's secrets) or copy the course's solutions/{SEED_FILE} here "
        "(`grader assign` creates one); pass --dev-seed only to try the grader on test submissions.")


def course_seed(paths: Paths | None = None) -> int:
    env = os.environ.get(ENV)
    if env:
        return parse_seed(env)
    path = seed_file(paths or Paths.discover())
    try:
        return parse_seed(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return DEVELOPMENT_SEED


def ensure_seed(paths: Paths) -> Path | None:
    """Create the seed file beside the solutions if there is none; the path when created."""
    path = seed_file(paths)
    if path.exists() or not paths.solutions.is_dir():
        return None
    path.write_text(f"{secrets.randbits(62)}\n", encoding="utf-8")
    return path


def rng(seed: int, purpose: str) -> np.random.Generator:
    """An independent stream per purpose (probe), so adding one probe does not move the others."""
    return np.random.default_rng([seed, zlib.crc32(purpose.encode())])


def submission_seed(seed: int, student_id: str, digest: str) -> int:
    """The seed of one submission's hidden inputs: the course seed, the student's id and a digest of
    the files graded.

    Hidden inputs a worker phoned home then help nobody: a resubmission that hard-codes them is other
    bytes, so it draws other inputs; a classmate handed them has another id. The same files of the
    same student always draw the same inputs, so a regrade or `grader rejudge` reproduces them from
    what results.json and observations.json keep (the id and the digest).
    """
    h = hashlib.sha256()
    for part in (str(seed), student_id, digest):
        data = part.encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(8, "big") + data)
    return int.from_bytes(h.digest()[:8], "big") % 2**63
