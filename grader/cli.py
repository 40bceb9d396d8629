"""Thin command-line front: parse, call the library, map our errors to exit codes."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from grader import __version__
from grader.errors import GraderError

# Each command is a module in grader.commands with NAME, HELP, add_arguments(), run().
COMMANDS = ("list", "check", "grade", "report", "rejudge", "assign", "release")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grader", description="Grade the deep-neural-networks lesson's exercises.")
    parser.add_argument("--version", action="version", version=f"grader {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        try:
            mod = importlib.import_module(f"grader.commands.{name}_cmd")
        except ModuleNotFoundError as exc:
            if exc.name == f"grader.commands.{name}_cmd":
                continue  # not in this build (e.g. the student bundle has no `grade`)
            raise
        p = sub.add_parser(name, help=mod.HELP, description=mod.HELP)
        mod.add_arguments(p)
        p.set_defaults(_run=mod.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args._run(args))
    except GraderError as exc:
        print(f"grader: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("grader: interrupted", file=sys.stderr)
        return 130
