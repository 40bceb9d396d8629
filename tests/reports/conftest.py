"""Every fast report test has the view models it builds pinned: what the templates display."""

from __future__ import annotations

from pathlib import Path

from snapshot_support import snapshot_fixture

from grader.reports import compare, dashboard, insight, text, views
from grader.storage import results as results_io

snapshot = snapshot_fixture(Path(__file__).parent, (
    results_io.ResultsFileError, compare.Comparison, compare.Grid, views.CheckView, views.SourceView, views.ExerciseView, views.StudentPage, compare.Cell, text.TextBlock,
    insight.MistakeRow, insight.ExerciseInsight, insight.ItemStats, insight.ClassInsight,
    dashboard.RateRow, dashboard.MistakeView, dashboard.ExerciseInsightView, dashboard.ItemView,
    dashboard.StudentRow, dashboard.DashboardPage, dashboard.ClassPage,
))
