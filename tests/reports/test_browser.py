"""End-to-end: the dashboard and a student report in headless Chromium, from file://, offline.

Needs Debian's `chromium` and Playwright for Python (no `playwright install`).
Under CI=true a missing browser fails the test; locally it skips.
Screenshots go to $GRADER_SCREENSHOTS or reports/screenshots/.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import report_samples as samples
from grader.cli import main
from grader.reports.render import write_student_report
from grader.outputs import write_full_result

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ROOT = Path(__file__).resolve().parents[2]
# A folder name that is itself hostile: it ends up in the dashboard's link.
MALLORY_DIR = "mallory <img src=x onerror=alert(1)>"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser tests cannot run in CI: {reason}. "
                    "Install with: apt-get install -y chromium && pip install playwright")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed")
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} is missing")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An OUT folder as `grader grade` leaves it, then re-rendered by `grader report`."""
    out = tmp_path_factory.mktemp("out")
    folders = {"alice": samples.alice(), "bob": samples.bob(), "carol": samples.carol(),
               "dave": samples.shapes(), MALLORY_DIR: samples.mallory()}
    for folder, result in folders.items():
        write_full_result(out, folder, result)  # as `grader grade` writes it: the student copy and the full one
    (out / "grades.csv").write_text("student_id,score\nalice,12\n", encoding="utf-8")
    (out / "summary.json").write_text('{"students": 5, "note": "<script>window.__pwned=9</script>"}',
                                      encoding="utf-8")
    assert main(["report", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def shots() -> Path:
    folder = Path(os.environ.get("GRADER_SCREENSHOTS", ROOT / "reports" / "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"screenshots: {folder}")
    return folder


class Watch:
    """Collects what must never happen on our pages: dialogs, page errors, network requests."""

    def __init__(self, page: Any) -> None:
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", self._request)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _request(self, request: Any) -> None:
        if not request.url.startswith(("file:", "data:")):
            self.requests.append(request.url)

    def assert_clean(self, page: Any) -> None:
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert self.dialogs == []
        assert self.errors == []
        assert self.requests == []


def _visible_ids(page: Any) -> list[str]:
    return list(page.eval_on_selector_all(
        "#students tbody tr:not([hidden])", "rows => rows.map(r => r.getAttribute('data-id'))"))


def _percents(page: Any) -> list[float]:
    return [float(x) for x in page.eval_on_selector_all(
        "#students tbody tr:not([hidden]) td:nth-child(3)", "cells => cells.map(c => c.textContent)")]


def test_dashboard_sort_filter_and_report(browser: Any, out_dir: Path, shots: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    watch = Watch(page)
    page.goto((out_dir / "index.html").as_uri())
    assert page.title() == "Class dashboard"
    assert len(_visible_ids(page)) == 5
    page.screenshot(path=str(shots / "dashboard-desktop.png"), full_page=True)

    # Sort by percentage: ascending puts a zero first, descending puts alice's full marks first.
    pct = page.locator("#students thead th", has_text="%").locator("button")
    pct.click()
    assert page.get_attribute("#students thead th:nth-child(3)", "aria-sort") == "ascending"
    assert _percents(page) == sorted(_percents(page)) != list(reversed(sorted(_percents(page))))
    pct.click()
    assert _percents(page) == sorted(_percents(page), reverse=True)
    assert _visible_ids(page)[0] == "alice"
    page.locator("#students thead th", has_text="Student").locator("button").click()
    assert _visible_ids(page)[:3] == ["alice", "bob", "carol"]

    # Filter by text, then by an exercise that is not at full marks.
    page.fill("#filter", "bo")
    assert _visible_ids(page) == ["bob"]
    assert page.inner_text("#shown") == "1 of 5 shown"
    page.fill("#filter", "")
    page.select_option("#exercise-filter", "parameter_count")
    assert _visible_ids(page) == ["carol"]
    page.select_option("#exercise-filter", "")
    assert len(_visible_ids(page)) == 5

    # The hostile student id is text in the table, and its link still works.
    assert samples.MALLORY_ID in page.inner_text("#students")
    watch.assert_clean(page)

    page.click("#students a:text-is('bob')")
    page.wait_for_url("**/bob/report.html")
    assert page.title() == "Feedback for bob"
    details = page.locator("#check-relu_model_lesson_inputs details.textblock").first
    assert details.get_attribute("open") is None
    assert not page.get_by_text("logits shape (3, 2)").is_visible()
    details.locator("summary").click()
    assert details.get_attribute("open") is not None
    assert page.get_by_text("logits shape (3, 2)").is_visible()
    assert "Showing the first 4,000" in details.inner_text()
    page.screenshot(path=str(shots / "report-desktop.png"), full_page=True)
    watch.assert_clean(page)

    page.go_back()
    page.click(f"#students a:text-is({samples.MALLORY_ID!r})")
    page.wait_for_url("**/report.html")
    for d in page.locator("details").all():
        d.locator("summary").first.click()
    text = page.inner_text("body")
    for payload in samples.PAYLOADS:
        assert payload in text
    watch.assert_clean(page)
    page.close()


def test_misconceptions_item_analysis_and_class_page(browser: Any, out_dir: Path, shots: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    watch = Watch(page)
    page.goto((out_dir / "index.html").as_uri())
    section = page.locator("#misconceptions")
    assert section.locator("svg.chart.small").count() == 2   # a score chart per exercise
    row = section.locator("tr[data-mistake='relu_missing']")
    assert "no ReLU on the hidden layer" in row.inner_text()
    assert section.locator("tr[data-kind='not_attempted']").locator("a").all_inner_texts() == ["carol"]
    section.screenshot(path=str(shots / "misconceptions-desktop.png"))
    page.locator("#item-analysis").screenshot(path=str(shots / "item-analysis-desktop.png"))
    # A student link in the misconceptions table opens that student's report.
    row.locator("a", has_text="bob").click()
    page.wait_for_url("**/bob/report.html")
    # The student's page links to the anonymous class page, nowhere else in OUT.
    hrefs = page.eval_on_selector_all("a[href]", "as => as.map(a => a.getAttribute('href'))")
    assert [h for h in hrefs if not h.startswith("#")] == ["../class.html"]
    page.click("a[href='../class.html']")
    page.wait_for_url("**/class.html")
    text = page.inner_text("body")
    assert page.title() == "Class statistics" and "mean" in text and "median" in text
    for other in ("alice", "carol", "dave", "mallory"):
        assert other not in text
    page.screenshot(path=str(shots / "class-desktop.png"), full_page=True)
    watch.assert_clean(page)
    page.close()


def test_phone_width(browser: Any, out_dir: Path, shots: Path) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    watch = Watch(page)
    # A long id with notes and a repeated problem, next to the others.
    long_id = out_dir.parent / f"{out_dir.name}-long" / "long" / "report.html"
    write_student_report(samples.long_id(), long_id, "student", "../index.html")
    for name, path in (("dashboard", out_dir / "index.html"), ("report", out_dir / "bob" / "report.html"),
                       ("report-long-id", long_id), ("class", out_dir / "class.html")):
        page.goto(path.as_uri())
        # Nothing may push the page wider than the phone: wide tables scroll inside their own box.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        # No badge is cut off: each fits inside the page's width.
        assert page.eval_on_selector_all(".badge", "bs => bs.every(b => b.getBoundingClientRect().right <= 390)")
        page.screenshot(path=str(shots / f"{name}-phone.png"), full_page=True)
    watch.assert_clean(page)
    page.close()


def test_missing_browser_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="apt-get install -y chromium"):
        _unavailable("nothing")
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception):
        _unavailable("nothing")
