"""Render results as self-contained HTML pages (Jinja2, autoescaped).

`render_student` / `write_student_report` make one student's feedback page;
`write_dashboard` makes the class overview from a folder of results.json files.
Pages carry their CSS, JS and SVG inline so they work from file:// offline.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from grader.errors import UsageError
from grader.model import StudentResult
from grader.reports.results_io import atomic_write_text, load_result
from grader.reports.views import Link, check_view_name, dashboard_page, student_page

TEMPLATES = Path(__file__).resolve().parent / "templates"

REPORT_NAME = "report.html"
RESULTS_NAME = "results.json"
DASHBOARD_NAME = "index.html"
SUMMARY_NAME = "summary.json"
GRADES_NAME = "grades.csv"


@lru_cache(maxsize=1)
def environment() -> Environment:
    # autoescape=True for every template: student text is escaped wherever it lands.
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@lru_cache(maxsize=1)
def dashboard_script() -> tuple[Markup, Markup]:
    """Our own JS file, and the CSP source that allows exactly it (a sha256 hash)."""
    text = (TEMPLATES / "dashboard.js").read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return Markup(text), Markup(f"'sha256-{digest}'")


def render_student(result: StudentResult, view: str = "student", dashboard_href: str = "") -> str:
    """One student's feedback page; `view` is "student" (hidden details withheld) or "instructor"."""
    page = student_page(result, check_view_name(view), dashboard_href)
    # The page has no script at all, so the CSP forbids every script.
    return environment().get_template("student.html").render(page=page, csp_script=Markup("'none'"))


def write_student_report(result: StudentResult, path: Path, view: str = "student",
                         dashboard_href: str = "") -> None:
    atomic_write_text(Path(path), render_student(result, view, dashboard_href))


def render_dashboard(results: Sequence[tuple[str, StudentResult]], summary: dict[str, Any] | None = None,
                     view: str = "instructor", links: Sequence[Link] = ()) -> str:
    """The class page; `results` pairs each report folder (relative to the page) with its result."""
    page = dashboard_page(results, summary, check_view_name(view), links)
    script, source = dashboard_script()
    # Only the script whose hash we computed may run; an injected one could not, even if escaping failed.
    return environment().get_template("dashboard.html").render(page=page, script=script, csp_script=source)


def result_files(out_dir: Path) -> list[Path]:
    """OUT/<student>/results.json, in a stable order."""
    return sorted(p for p in Path(out_dir).glob(f"*/{RESULTS_NAME}") if p.is_file())


def load_results(out_dir: Path) -> list[tuple[str, StudentResult]]:
    return [(p.parent.name, load_result(p)) for p in result_files(out_dir)]


def read_summary(out_dir: Path) -> dict[str, Any] | None:
    path = Path(out_dir) / SUMMARY_NAME
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def dashboard_links(out_dir: Path) -> list[Link]:
    return [Link(name, name) for name in (GRADES_NAME, SUMMARY_NAME) if (Path(out_dir) / name).is_file()]


def write_dashboard(out_dir: Path, view: str = "instructor",
                    results: Sequence[tuple[str, StudentResult]] | None = None) -> None:
    """Write OUT/index.html from OUT/*/results.json (or from `results`, if the caller has them)."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise UsageError(f"{out_dir} is not a folder")
    loaded = list(results) if results is not None else load_results(out_dir)
    html = render_dashboard(loaded, read_summary(out_dir), view, dashboard_links(out_dir))
    atomic_write_text(out_dir / DASHBOARD_NAME, html)


def write_all(out_dir: Path, view: str = "student", dashboard_view: str = "instructor") -> int:
    """Re-render every OUT/<id>/report.html and OUT/index.html from the results.json files.

    Returns how many student pages were written.
    """
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise UsageError(f"{out_dir} is not a folder")
    check_view_name(view)
    check_view_name(dashboard_view)
    results = load_results(out_dir)
    for folder, result in results:
        write_student_report(result, out_dir / folder / REPORT_NAME, view, dashboard_href=f"../{DASHBOARD_NAME}")
    write_dashboard(out_dir, dashboard_view, results)
    return len(results)
