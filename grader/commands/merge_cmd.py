"""`grader merge OUT_1 ... OUT_N --out OUT`: one class from sharded `grader grade` outputs."""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = "merge the output folders of sharded `grader grade --shard K/N` runs into one class"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("shards", nargs="+", type=Path, metavar="SHARD_OUT", help="output folders of the shards")
    p.add_argument("--out", type=Path, required=True, metavar="OUT", help="the merged class folder")
    p.add_argument("--partial", action="store_true", help="merge even when some of the N shards are missing")
    p.add_argument("--force", action="store_true", help="merge into an OUT that is not empty")


def run(args: argparse.Namespace) -> int:
    from grader.merge import merge

    results = merge(args.shards, args.out, partial=args.partial, force=args.force)
    print(f"merged {len(results)} student(s) from {len(args.shards)} shard(s) into {args.out}")
    print(f"grades:  {args.out / 'grades.csv'}\nsummary: {args.out / 'summary.json'}\nreports: {args.out / 'index.html'}")
    return 0
