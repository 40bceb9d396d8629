"""`grader release --out DIR`: build the student bundle (no solutions, no hidden checks)."""

from __future__ import annotations

import argparse
from pathlib import Path

from grader.paths import Paths
from grader.authoring.release import build

HELP = "Build the student bundle: stubs, notebooks, public checks and the self-check grader."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, type=Path, help="folder to write the bundle to")
    parser.add_argument("--force", action="store_true", help="replace an earlier bundle in that folder")


def run(args: argparse.Namespace) -> int:
    paths = Paths.discover()
    bundle = build(paths, args.out, force=args.force)
    for note in bundle.notes:
        print(f"note: {note}")
    print(f"wrote {len(bundle.files)} files to {bundle.root} "
          f"({len(bundle.modules)} grader modules; no solutions, no hidden checks)")
    print(f"install it with: pip install {bundle.root}")
    return 0
