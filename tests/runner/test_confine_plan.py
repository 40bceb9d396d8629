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


def test_the_working_folder_on_sys_path_exposes_nothing_and_hides_nothing(tmp_path: Path) -> None:
    """Python 3.10 has no PYTHONSAFEPATH: `-m` puts the working folder ("/") first on sys.path.
    Exposing "/" used to swallow every other exposed folder, so the stdlib under a blocked
    folder (/root/.pyenv) was never bound back and the sandbox could not import `wave`."""
    locked = tmp_path / "home"
    (locked / "py" / "lib").mkdir(parents=True)
    locked.chmod(0o700)
    try:
        plan = plan_mounts([], ["/", str(locked / "py" / "lib")], unprivileged=True)
    finally:
        locked.chmod(0o755)
    assert "/" not in plan.expose and "/" not in plan.cover
    # Some untraversable parent is covered (pytest's own base folder is 0700 too), and the lib comes back.
    assert plan.cover and plan.expose == [str(locked / "py" / "lib")]


def test_a_venv_under_tmp_is_bound_back_over_the_fresh_tmp(tmp_path: Path) -> None:
    """A venv in /tmp is not hidden, so it was never in `expose`; the fresh /tmp hid it
    (tf.keras: No module named 'tf_keras.api'). Every exposed folder under a scratch
    folder comes back, once (the outermost), and hidden paths in it are covered again."""
    import tempfile

    with tempfile.TemporaryDirectory(dir="/tmp") as base:
        site = Path(base) / "venv" / "lib" / "site-packages"
        (site / "pkg").mkdir(parents=True)
        (site / "secret").mkdir()
        plan = plan_mounts([str(site / "secret")], [str(site), str(site / "pkg"), "/tmp"], unprivileged=False)
        assert plan.scratch == [str(site)]
        assert plan.recover == [str(site / "secret")]
        assert "/tmp" not in plan.expose + plan.scratch  # the scratch folder itself never comes back whole
    outside = plan_mounts([], [str(tmp_path)], unprivileged=False)
    assert outside.scratch == ([str(tmp_path)] if str(tmp_path).startswith("/tmp/") else [])
