"""The mount plan when the repository itself is on sys.path (PYTHONPATH=<repo>)."""

from __future__ import annotations

from pathlib import Path

from grader.sandbox.confine import plan_mounts


def test_a_hidden_folder_on_sys_path_stays_covered(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "grader" / "judging").mkdir(parents=True)
    (repo / ".git").write_text("gitdir: elsewhere\n")  # a worktree's .git is a file
    hidden = [str(repo), str(repo / ".git"), str(repo / "grader" / "judging")]
    plan = plan_mounts(hidden, [str(repo), str(repo / "grader")], unprivileged=False)
    assert plan.cover == [str(repo)]
    # Only the package comes back, and what it holds that is hidden is covered again.
    assert plan.expose == [str(repo / "grader")]
    assert plan.recover == [str(repo / "grader" / "judging")]
