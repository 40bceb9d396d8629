"""`grader list`: the exercises and their checks, with points and visibility."""

from __future__ import annotations

import argparse
import json
from typing import Any

from grader.judging.checks import EXERCISES, Check, Exercise, load_checks

HELP = "List the exercises and their checks, with points and visibility."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--public", action="store_true", help="only the public checks (what `grader check` runs)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def catalogue(include_hidden: bool = True) -> list[tuple[Exercise, list[Check]]]:
    """Exercises in order with their checks; an exercise with no checks here is left out.

    In the student bundle the hidden checks are absent, so they are not listed.
    """
    checks = load_checks(include_hidden=include_hidden)
    listed = [(ex, [c for c in checks if c.exercise == ex.name]) for ex in EXERCISES]
    return [(ex, mine) for ex, mine in listed if mine]


def as_json(listed: list[tuple[Exercise, list[Check]]]) -> dict[str, Any]:
    return {
        "exercises": [
            {"name": ex.name, "title": ex.title, "order": ex.order, "points": sum(c.points for c in mine),
             "checks": [{"id": c.id, "title": c.title, "points": c.points, "visibility": c.visibility,
                         "hint": c.hint} for c in mine]}
            for ex, mine in listed
        ],
        "total": sum(c.points for _, mine in listed for c in mine),
    }


def run(args: argparse.Namespace) -> int:
    listed = catalogue(include_hidden=not args.public)
    if args.json:
        print(json.dumps(as_json(listed), indent=2))
        return 0
    total = hidden = 0.0
    for ex, mine in listed:
        print(f"{ex.order}. {ex.name} - {ex.title} ({sum(c.points for c in mine):g} points)")
        for c in mine:
            print(f"   {c.points:>4g}  {c.visibility:<6}  {c.id}: {c.title}")
            total += c.points
            hidden += c.points if c.visibility == "hidden" else 0.0
    if args.public:
        print(f"Total: {total:g} points in public checks")
    else:
        print(f"Total: {total:g} points ({total - hidden:g} public, {hidden:g} hidden)")
    return 0
