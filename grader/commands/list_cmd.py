"""`grader list`: the exercises and their checks, with points and visibility.

In the student bundle the hidden checks are absent, but `grader/points.json`
(written by `grader release`) holds each exercise's real points and how many
points and checks are hidden: the list shows those totals, never hidden names.
"""

from __future__ import annotations

import json
from typing import Any

import argparse

from grader.judging.checks import EXERCISES, Check, Exercise, load_checks
from grader.paths import PACKAGE_DIR

HELP = "List the exercises and their checks, with points and visibility."
POINTS_FILE = PACKAGE_DIR / "points.json"


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


def hidden_totals(listed: list[tuple[Exercise, list[Check]]]) -> dict[str, dict[str, float]]:
    """exercise -> {"points", "hidden_points", "hidden_checks"} for hidden checks not loaded here.

    Empty where the hidden checks are present (the course repository) or no points file exists.
    """
    if any(c.visibility == "hidden" for _, mine in listed for c in mine) or not POINTS_FILE.is_file():
        return {}
    try:
        raw = json.loads(POINTS_FILE.read_text(encoding="utf-8"))
    except ValueError:
        return {}
    out = {}
    for name, row in raw.items() if isinstance(raw, dict) else ():
        if isinstance(row, dict) and all(isinstance(row.get(k), (int, float)) for k in
                                         ("points", "hidden_points", "hidden_checks")):
            out[str(name)] = {k: float(row[k]) for k in ("points", "hidden_points", "hidden_checks")}
    return out


def as_json(listed: list[tuple[Exercise, list[Check]]],
            hidden: dict[str, dict[str, float]] | None = None) -> dict[str, Any]:
    hidden = hidden or {}
    exercises = []
    for ex, mine in listed:
        row: dict[str, Any] = {
            "name": ex.name, "title": ex.title, "order": ex.order, "points": sum(c.points for c in mine),
            "checks": [{"id": c.id, "title": c.title, "points": c.points, "visibility": c.visibility,
                        "hint": c.hint} for c in mine]}
        if ex.name in hidden:
            row["points"] = hidden[ex.name]["points"]
            row["hidden_points"] = hidden[ex.name]["hidden_points"]
            row["hidden_checks"] = int(hidden[ex.name]["hidden_checks"])
        exercises.append(row)
    return {"exercises": exercises, "total": sum(e["points"] for e in exercises)}


def run(args: argparse.Namespace) -> int:
    listed = catalogue(include_hidden=not args.public)
    hidden = {} if args.public else hidden_totals(listed)
    if args.json:
        print(json.dumps(as_json(listed, hidden), indent=2))
        return 0
    total = hidden_sum = 0.0
    for ex, mine in listed:
        extra = hidden.get(ex.name)
        points = extra["points"] if extra else sum(c.points for c in mine)
        print(f"{ex.order}. {ex.name} - {ex.title} ({points:g} points)")
        for c in mine:
            print(f"   {c.points:>4g}  {c.visibility:<6}  {c.id}: {c.title}")
            hidden_sum += c.points if c.visibility == "hidden" else 0.0
        if extra and extra["hidden_checks"]:
            n = int(extra["hidden_checks"])
            print(f"   {extra['hidden_points']:>4g}  hidden  {n} hidden check{'s' * (n != 1)} "
                  "on inputs you have not seen (run when your work is graded)")
            hidden_sum += extra["hidden_points"]
        total += points
    if args.public:
        print(f"Total: {total:g} points in public checks")
    else:
        print(f"Total: {total:g} points ({total - hidden_sum:g} public, {hidden_sum:g} hidden)")
    return 0
