"""Render results as self-contained HTML pages (Jinja2, autoescaped).

`render_student` / `write_student_report` make one student's feedback page;
`write_dashboard` makes the class files from a folder of results.json files:
the instructor's index.html, the anonymous class.html a student's page links
to, misconceptions.csv, and the "analysis" section of summary.json.
Pages carry their CSS, JS and SVG inline so they work from file:// offline.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from grader.errors import UsageError
from grader.model import StudentResult
from grader.reports.dashboard import Link, class_page, dashboard_page
from grader.reports.insight import ClassInsight, analyse, to_csv, to_summary
from grader.reports.views import CLASS_PAGE, check_view_name, student_page
from grader.storage import layout
from grader.storage.atomic import atomic_write_text
from grader.storage.classfiles import ANALYSIS_KEY as ANALYSIS_KEY, write_analysis
from grader.storage.layout import INSTRUCTOR_DIR
# Re-exported: the pages' callers name the class files through this module.
from grader.storage.layout import GRADES_NAME as GRADES_NAME, MISCONCEPTIONS_NAME as MISCONCEPTIONS_NAME
from grader.storage.layout import RESULTS_NAME as RESULTS_NAME, SUMMARY_NAME as SUMMARY_NAME
from grader.storage.layout import read_summary as read_summary
from grader.storage.results import load_result

TEMPLATES = Path(__file__).resolve().parent / "templates"

REPORT_NAME = layout.REPORT_NAME
DASHBOARD_NAME = "index.html"
CLASS_NAME = CLASS_PAGE


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
    """One student's feedback page; `view` is "student" (hidden details withheld) or "instructor".

    `dashboard_href` says where the class dashboard is: the instructor's page links to it,
    a student's page links to the anonymous class page in the same folder instead.
    """
    page = student_page(result, check_view_name(view), dashboard_href)
    # The page has no script at all, so the CSP forbids every script.
    return environment().get_template("student.html").render(page=page, csp_script=Markup("'none'"))


def write_student_report(result: StudentResult, path: Path, view: str = "student",
                         dashboard_href: str = "") -> None:
    atomic_write_text(Path(path), render_student(result, view, dashboard_href))


def render_class(results: Sequence[StudentResult]) -> str:
    """The anonymous class page (no ids, no links to class files; withheld under 5 students)."""
    return environment().get_template("class.html").render(page=class_page(results), csp_script=Markup("'none'"))


def render_dashboard(results: Sequence[tuple[str, StudentResult]], summary: dict[str, Any] | None = None,
                     view: str = "instructor", links: Sequence[Link] = (),
                     insight: ClassInsight | None = None) -> str:
    """The class page for `view`; `results` pairs each report folder (relative to the page) with its result.

    The instructor's dashboard names every student; the student view of it is the
    anonymous class page, since a dashboard listing classmates cannot be private.
    """
    if check_view_name(view) == "student":
        return render_class([r for _, r in results])
    page = dashboard_page(results, summary, view, links, insight)
    script, source = dashboard_script()
    # Only the script whose hash we computed may run; an injected one could not, even if escaping failed.
    return environment().get_template("dashboard.html").render(page=page, script=script, csp_script=source)


def result_files(out_dir: Path) -> list[Path]:
    """Every student's full results (OUT/_instructor/<id>/results.json), in a stable order."""
    if layout.old_layout(Path(out_dir)):
        raise UsageError(f"{out_dir} was written by an older grader (student folders but no {INSTRUCTOR_DIR}/ "
                         "folder): regrade it with `grader grade ... --force`")
    return layout.result_files(Path(out_dir))


def load_results(out_dir: Path) -> list[tuple[str, StudentResult]]:
    return [(p.parent.name, load_result(p)) for p in result_files(out_dir)]


def dashboard_links(out_dir: Path) -> list[Link]:
    names = (GRADES_NAME, SUMMARY_NAME, MISCONCEPTIONS_NAME, CLASS_NAME)
    return [Link(name, name) for name in names if (Path(out_dir) / name).is_file()]


def write_insight(out_dir: Path, insight: ClassInsight, summary: dict[str, Any] | None) -> None:
    """misconceptions.csv, and the "analysis" section of an existing summary.json (stored by
    grader.storage.classfiles; the analysis is made here)."""
    write_analysis(out_dir, to_csv(insight), to_summary(insight), summary)


def write_dashboard(out_dir: Path, view: str = "instructor",
                    results: Sequence[tuple[str, StudentResult]] | None = None) -> None:
    """Write the class files of OUT from OUT/*/results.json (or from `results`, if the caller has them):
    misconceptions.csv, summary.json's analysis, class.html, then index.html."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise UsageError(f"{out_dir} is not a folder")
    check_view_name(view)
    loaded = list(results) if results is not None else load_results(out_dir)
    insight = analyse(loaded)
    summary = read_summary(out_dir)
    write_insight(out_dir, insight, summary)
    atomic_write_text(out_dir / CLASS_NAME, render_class([r for _, r in loaded]))
    html = render_dashboard(loaded, summary, view, dashboard_links(out_dir), insight)
    atomic_write_text(out_dir / DASHBOARD_NAME, html)


def write_all(out_dir: Path, view: str = "student", dashboard_view: str = "instructor") -> int:
    """Re-render every student's report.html and the class files from the full results.json files.

    A student view goes to OUT/<id>/report.html (what the student is handed); an instructor
    view goes beside the full results, OUT/_instructor/<id>/report.html, never into a student's
    folder. Returns how many student pages were written.
    """
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise UsageError(f"{out_dir} is not a folder")
    check_view_name(view)
    check_view_name(dashboard_view)
    results = load_results(out_dir)
    for folder, result in results:
        if view == "instructor":
            write_student_report(result, layout.instructor_dir(out_dir, folder) / REPORT_NAME, view,
                                 dashboard_href=f"../../{DASHBOARD_NAME}")
        else:
            write_student_report(result, layout.student_dir(out_dir, folder) / REPORT_NAME, view,
                                 dashboard_href=f"../{DASHBOARD_NAME}")
    write_dashboard(out_dir, dashboard_view, results)
    return len(results)
