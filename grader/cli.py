"""Thin command-line front: parse, call the library, map our errors to exit codes.

Exit codes: `grader.errors.ExitCode`, one per meaning, explained in `grader.errors.EXIT_CODES`
(and in the README's table, which a test compares with it). A closed output pipe
(`grader ... | head`) ends quietly.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from grader import __version__
from grader.errors import ExitCode, GraderError
from grader.safetext import terminal_text

# Each command is a module in grader.commands with NAME, HELP, add_arguments(), run().
COMMANDS = ("list", "check", "grade", "report", "rejudge", "merge", "export", "assign", "release", "gradescope",
            "new-exercise")


class _HelpFormatter(argparse.HelpFormatter):
    """One style for every command: a real default is shown as `(default: X)` unless the help says it."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        shown = action.default not in (None, False, argparse.SUPPRESS) and action.option_strings
        if shown and "default" not in text:
            text += " (default: %(default)s)"
        return text


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grader", description="Grade the deep-neural-networks lesson's exercises.")
    parser.add_argument("--version", action="version", version=f"grader {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        mod_name = f"grader.commands.{name.replace('-', '_')}_cmd"  # new-exercise -> new_exercise_cmd
        try:
            mod = importlib.import_module(mod_name)
        except ModuleNotFoundError as exc:
            if exc.name == mod_name:
                continue  # not in this build (e.g. the student bundle has no `grade`)
            raise
        p = sub.add_parser(name, help=mod.HELP, description=mod.HELP,
                           formatter_class=_HelpFormatter)
        mod.add_arguments(p)
        p.set_defaults(_run=mod.run)
    return parser


def _quiet_broken_pipe() -> int:
    """The reader went away (`| head`): say nothing more, and keep Python's exit flush from raising."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass  # stdout is not a real file (tests): nothing to silence
    return ExitCode.BROKEN_PIPE  # what a shell reports for a process ended by SIGPIPE


def _run(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args._run(args))
    except GraderError as exc:
        print(f"grader: {terminal_text(str(exc))}", file=sys.stderr)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        print("grader: interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED


def main(argv: Sequence[str] | None = None) -> int:
    try:
        try:
            return _run(argv)
        finally:  # also after --help's SystemExit: a closed pipe shows up here, not at exit
            sys.stdout.flush()
    except BrokenPipeError:
        return _quiet_broken_pipe()
