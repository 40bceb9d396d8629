"""Probe groups: one worker per group, artifact probes in clean workers, instructor-only notes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from grader.model import ErrorInfo, FileLoad, Observation, Probe
from grader.runner import Limits, Runner
from grader.runner.groups import (SubmissionRun, admit, cohort_clear, compose, follow_on, is_hidden, next_ready, plan,
                                  release, settle, unseal)

ROOT = Path(__file__).resolve().parents[2]


# -- fast: planning, releasing artifacts, composing the outcome ---------------------

def test_plan_puts_main_first_and_gives_each_group_its_own_worker() -> None:
    probes = [Probe("h1", "d", group="hidden"), Probe("m1", "d"), Probe("h2", "d", group="hidden"),
              Probe("v", "d", group="artifact", needs="m1"), Probe("f", "d", group="fresh:x")]
    tasks = plan(probes, {"a.py": "x = 1"}, 100)
    assert [t.group for t in tasks] == ["main", "hidden", "artifact (needs m1)", "fresh:x"]
    assert [[p.id for p in t.probes] for t in tasks] == [["m1"], ["h1", "h2"], ["v"], ["f"]]
    assert [t.state for t in tasks] == ["ready", "held", "waiting", "ready"]  # hidden: after the rest
    assert tasks[1].files == {"a.py": "x = 1"} and tasks[2].files == {}  # the artifact's worker loads nothing


def test_plan_without_isolation_runs_every_group_in_the_main_worker() -> None:
    probes = [Probe("h1", "d", group="hidden"), Probe("m1", "d"), Probe("v", "d", group="artifact", needs="m1")]
    tasks = plan(probes, {}, 100, isolate=False)
    assert [[p.id for p in t.probes] for t in tasks] == [["h1", "m1"], ["v"]]


def test_main_always_runs_to_report_how_the_files_loaded() -> None:
    tasks = plan([Probe("h", "d", group="hidden")], {"a.py": ""}, 100)
    assert [(t.group, len(t.probes)) for t in tasks] == [("main", 0), ("hidden", 1)]


def test_an_artifact_probe_gets_the_observed_value_as_plain_data() -> None:
    tasks = plan([Probe("save", "d"), Probe("v", "verify", {"k": 1}, group="a", needs="save")], {}, 100)
    assert release(tasks) == []                                   # nothing observed yet
    tasks[0].collector.observations["save"] = Observation("save", value={"files": [1, 2]})
    assert release(tasks) == [tasks[1]] and tasks[1].state == "ready"
    assert tasks[1].job_probes(tasks[1].probes) == [
        {"id": "v", "driver": "verify", "args": {"k": 1, "artifact": {"files": [1, 2]}}, "exercise": None}]


def test_an_artifact_that_never_comes_fails_its_probes_without_running_them() -> None:
    tasks = plan([Probe("save", "d"), Probe("v", "d", group="a", needs="save"),
                  Probe("w", "d", group="b", needs="nowhere"), Probe("x", "d", group="c", needs="x")], {}, 100)
    tasks[0].collector.observations["save"] = Observation("save", error=ErrorInfo("ValueError", "boom"))
    release(tasks)
    for t in tasks[1:]:
        assert t.state == "done"
        (obs,) = t.collector.observations.values()
        assert obs.error is not None and obs.error.type == "NoArtifact"
    assert "save" in tasks[1].collector.observations["v"].error.message  # type: ignore[union-attr]


def test_waiting_tasks_are_failed_once_nothing_else_can_run() -> None:
    tasks = plan([Probe("a", "d", group="g1", needs="b"), Probe("b", "d", group="g2", needs="a")], {}, 100)
    tasks[0].state = "done"
    assert release(tasks) == []             # a cycle: each waits on the other
    assert len(release(tasks, final=True)) == 2


def test_hidden_tasks_wait_until_every_other_task_is_done_and_sealed() -> None:
    tasks = plan([Probe("m", "d"), Probe("f", "d", group="fresh:x"), Probe("h", "d", group="hidden"),
                  Probe("v", "d", group="hidden:artifact", needs="m")], {"a.py": ""}, 100)
    main, fresh, hidden, verify = tasks
    assert (hidden.state, verify.state) == ("held", "held")
    main.state = "done"
    main.collector.observations["m"] = Observation("m", value=1)
    assert release(tasks) == [] and hidden.state == "held"      # fresh:x still runs
    fresh.state = "done"
    assert release(tasks, sealed=False) == []                  # its worker not yet reported gone
    assert release(tasks, final=True, sealed=False) == [] and hidden.state == "held"
    assert release(tasks) == [hidden, verify]                  # let go; the artifact is there already
    assert (hidden.state, verify.state) == ("ready", "ready") and verify.artifact == 1


def test_a_final_release_gives_hidden_tasks_their_turn_first() -> None:
    tasks = plan([Probe("m", "d"), Probe("v", "d", group="hidden", needs="h2"), Probe("h2", "d", group="hidden")],
                 {}, 100)
    tasks[0].state = "done"
    assert release(tasks, final=True) == [tasks[1], tasks[2]]
    assert [t.state for t in tasks] == ["done", "waiting", "ready"]  # not failed for want of an artifact


def test_an_artifact_that_failed_lets_the_hidden_tasks_go_in_the_same_release() -> None:
    """However the worker's messages were batched, the hidden task is ready as soon as the
    rest is done, so the worker that finished the rest can go on with it (follow_on)."""
    tasks = plan([Probe("m", "d"), Probe("v", "d", group="artifact", needs="m"), Probe("h", "d", group="hidden")],
                 {"a.py": ""}, 100)
    main, verify, hidden = tasks
    main.collector.observations["m"] = Observation("m", error=ErrorInfo("ValueError", "boom"))
    main.state = "done"
    assert release(tasks) == [verify, hidden]
    assert (verify.state, hidden.state) == ("done", "ready")


def _finished_main(probes: list[Probe], files: dict[str, str] | None = None) -> SubmissionRun:
    run = admit(None, {"a.py": "x = 1"} if files is None else files, probes, Limits(), 0.0)
    run.tasks[0].state = "done"
    release(run.tasks)
    return run


def test_the_worker_that_finished_the_visible_work_may_go_on_with_a_ready_hidden_task() -> None:
    run = _finished_main([Probe("m", "d"), Probe("h", "d", group="hidden"), Probe("k", "d", group="hidden:k")])
    main, hidden, other = run.tasks
    assert follow_on(run, main) is hidden        # the first; "hidden:k" gets a worker of its own
    hidden.attempts = 1
    assert follow_on(run, main) is other         # a task tried before (and killed) never goes on
    other.state = "running"
    assert follow_on(run, main) is None


def test_nothing_goes_on_before_the_hidden_task_is_let_go_or_in_a_worker_of_the_wrong_kind() -> None:
    held = admit(None, {"a.py": ""}, [Probe("m", "d"), Probe("f", "d", group="fresh:x"),
                                      Probe("h", "d", group="hidden")], Limits(), 0.0)
    held.tasks[0].state = "done"
    release(held.tasks)
    assert held.tasks[2].state == "held" and follow_on(held, held.tasks[0]) is None  # fresh:x still runs
    held.tasks[1].state = "done"
    release(held.tasks)
    assert follow_on(held, held.tasks[1]) is held.tasks[2]   # any worker that loaded the same files
    run = _finished_main([Probe("m", "d"), Probe("v", "d", group="artifact", needs="m"),
                          Probe("w", "d", group="hidden:artifact", needs="m")])
    main, verify, hidden_verify = run.tasks
    main.collector.observations["m"] = Observation("m", value=1)
    release(run.tasks)
    verify.state = "done"
    release(run.tasks)
    assert hidden_verify.state == "ready"
    assert follow_on(run, verify) is None        # an artifact's worker loaded no student file
    assert follow_on(run, main) is None          # a hidden task with an artifact runs in a clean worker
    assert follow_on(run, hidden_verify) is None


class _Key:
    """A run key of a student with `runs` runs (grader.grading.Run has the same `cohort`)."""

    def __init__(self, who: str, runs: int) -> None:
        self.cohort = (who, runs) if runs > 1 else None


def _run(who: str, runs: int = 2) -> SubmissionRun:
    probes = [Probe("m", "d"), Probe("h", "d", group="hidden")]
    return admit(_Key(who, runs), {"a.py": ""}, probes, Limits(), 0.0)


def _public_done(run: SubmissionRun) -> None:
    for t in run.tasks:
        if t.state != "held":
            t.state = "done"


def test_a_students_hidden_work_waits_for_the_public_work_of_all_their_runs() -> None:
    """Both runs of a student (py, then the changed notebooks) reach the student: a hidden
    worker of one must not run beside, or before, the public worker of the other."""
    main, alternate, other = _run("s"), _run("s"), _run("t", 1)
    sealed = lambda run: True  # noqa: E731 - every stopped worker known gone
    _public_done(main)
    # The alternate run is not admitted yet: the main run's hidden work waits for it.
    assert not cohort_clear(main, [main], {"s": 1}, False, sealed)
    # Admitted, its public worker still running: still waiting.
    assert not cohort_clear(main, [main, alternate, other], {"s": 2}, False, sealed)
    _public_done(alternate)
    assert cohort_clear(main, [main, alternate, other], {"s": 2}, False, sealed)
    assert cohort_clear(alternate, [main, alternate, other], {"s": 2}, False, sealed)
    # A mate whose stopped worker is not yet reported gone holds it too.
    assert not cohort_clear(main, [main, alternate], {"s": 2}, False, lambda run: run is not alternate)
    # A run alone depends on itself only; no more items to come ends the wait for mates.
    assert cohort_clear(other, [main, alternate, other], {"s": 1}, False, sealed)
    assert cohort_clear(main, [main], {"s": 1}, True, sealed)
    assert [t.group for t in unseal(main.tasks, sealed=True)] == ["hidden"]


def test_hidden_groups_are_named_hidden_or_hidden_colon() -> None:
    assert not is_hidden("main") and not is_hidden("hiddenness") and is_hidden("hidden:x") and is_hidden("hidden")


def test_a_stopped_worker_blames_its_phase_and_reruns_the_rest_while_time_is_left() -> None:
    lim = Limits(student_timeout=10.0)
    run = admit("k", {"a.py": ""}, [Probe("p1", "d"), Probe("p2", "d"), Probe("p3", "d")], lim, 100.0)
    (task,) = run.tasks
    task.attempts = 1
    c = task.collector
    c.observations["p1"] = Observation("p1", value=1)
    c.current = "p2"
    assert [p.id for p in settle(run, task, "timeout", "timed out after 3 s in p2", 0, lim, 105.0)] == ["p3"]
    assert c.observations["p2"].error == ErrorInfo("timeout", "timed out after 3 s in p2", killed="timeout")
    assert c.problems == ["timed out after 3 s in p2"]
    assert settle(run, task, "crash", "again", 2, lim, 105.0) == []    # no progress since it started: give up
    c.current = "load:a.py"
    assert [p.id for p in settle(run, task, "timeout", "hung", 0, lim, 105.0)] == ["p3"]
    assert run.skip == ["a.py"] and run.skip_for(task) == ["a.py"]      # later workers skip the hanging file
    assert settle(run, task, "crash", "late", 0, lim, 110.0) == []      # the submission's time is up
    err = c.observations["p3"].error
    assert err is not None and err.killed == "timeout" and "used up its 10 s" in err.message


def test_a_ready_task_of_a_submission_out_of_time_is_not_started() -> None:
    lim = Limits(student_timeout=10.0)
    late = admit("late", {}, [Probe("a", "d")], lim, 0.0)
    fresh = admit("fresh", {}, [Probe("b", "d")], lim, 5.0)
    assert next_ready([late, fresh], lim, 12.0) == (fresh, fresh.tasks[0])
    assert late.finished and late.tasks[0].collector.observations["a"].error.killed == "timeout"  # type: ignore[union-attr]


def test_only_the_main_worker_is_student_facing() -> None:
    tasks = plan([Probe("m", "d"), Probe("h", "d", group="hidden")], {"a.py": ""}, 100)
    main, hidden = tasks
    main.collector.loads.append(FileLoad("a.py", output="main says hi"))
    main.collector.problems.append("timed out after 3 s in m")
    main.output.append("main fd output")
    hidden.collector.observations["h"] = Observation("h", value=1)
    hidden.collector.loads.append(FileLoad("a.py", ErrorInfo("ValueError", "hidden input 42")))
    hidden.collector.problems += ["timed out after 3 s in h", "timed out after 3 s in h"]
    hidden.output.append("SECRET 42")
    out = compose(tasks, 1.0, 1000)
    assert set(out.observations) == {"h"}
    assert out.loads == (FileLoad("a.py", output="main says hi"),)
    assert out.problems == ("timed out after 3 s in m",) and out.output == "main fd output"
    assert out.instructor_notes == ("[hidden] timed out after 3 s in h",
                                    "[hidden] loading a.py: ValueError: hidden input 42",
                                    "[hidden] output:\nSECRET 42")


def test_the_other_workers_notes_reach_only_the_instructors_folder(tmp_path: Path) -> None:
    from grader.storage.observations import load_student, store_student

    tasks = plan([Probe("m", "d"), Probe("h", "d", group="hidden")], {"a.py": ""}, 100)
    tasks[1].output.append("SECRET 42")
    out = compose(tasks, 1.0, 1000)
    store_student(tmp_path, "s1", "digest", out, [])
    assert load_student(tmp_path).outcome.instructor_notes == ("[hidden] output:\nSECRET 42",)


# -- slow: real workers -------------------------------------------------------------

SOLUTION_RELU = (ROOT / "solutions" / "relu_model.py").read_text()

# Finds the job in the worker's own stack (as hostile code can) and prints the
# probe ids it holds, and when it ran; prints at load time and at fd level too.
SNOOP = SOLUTION_RELU.replace("def relu_model(", "def _relu_model(") + '''
import os
import sys
import time

print("LOADED")
PROCESS = os.urandom(4).hex()   # one per loading of this file: which worker ran a call


def relu_model(features, weights, biases):
    started = time.time()
    frame, ids = sys._getframe(), []
    while frame is not None:
        job = frame.f_locals.get("job")
        if isinstance(job, dict):
            ids = [p["id"] for p in job["probes"]]
        frame = frame.f_back
    os.write(1, ("FD " + PROCESS + " " + " ".join(ids) + "\\n").encode())
    if int(features.shape[0]) == 3:
        while True:
            pass
    time.sleep(1.0)
    print("JOB", ids, "T", started, time.time())
    return _relu_model(features, weights, biases)
'''


def relu_probe(pid: str, rows: int, group: str = "main") -> Probe:
    rng = np.random.default_rng(rows)
    args = {"features": rng.normal(size=(rows, 4)),
            "weights": [rng.normal(size=(4, 3)), rng.normal(size=(3, 2))],
            "biases": [rng.normal(size=3), rng.normal(size=2)]}
    return Probe(pid, "relu_model", args, timeout=10.0, exercise="relu_model", group=group)


@pytest.fixture(scope="module")
def two() -> Iterator[Runner]:
    with Runner(Limits(check_timeout=4, load_timeout=10, student_timeout=60), jobs=2) as r:
        yield r


def times(text: str) -> tuple[float, float]:
    words = text.split()
    i = words.index("T")
    return float(words[i + 1]), float(words[i + 2])


def fd_lines(text: str) -> list[tuple[str, str]]:
    """(worker, what it held) for each call SNOOP made, from the fd-level output."""
    return [(w[1], " ".join(w[2:])) for w in (line.split() for line in text.splitlines()) if w[:1] == ["FD"]]


@pytest.mark.slow
def test_hidden_probes_reach_a_worker_only_after_the_public_results_are_sealed(two: Runner) -> None:
    probes = [relu_probe("public", 2), relu_probe("secret_a", 4, "hidden"), relu_probe("secret_b", 3, "hidden"),
              relu_probe("secret_c", 5, "hidden")]
    out = two.run({"relu_model.py": SNOOP}, probes)
    public = out.observations["public"]
    assert public.ok and "JOB ['public']" in public.output   # the student's worker held no hidden input then
    # Everything student-facing was cut before the hidden probes were sent.
    student_text = out.output + "".join(load.output for load in out.loads) + "".join(out.problems)
    assert "secret" not in student_text and "LOADED" in out.loads[0].output
    (seen,) = fd_lines(out.output)   # the public call, and nothing the hidden ones printed
    # The hidden group had a hang, a kill and a rerun of its own; the public probe never noticed.
    assert out.observations["secret_a"].ok and out.observations["secret_c"].ok
    err = out.observations["secret_b"].error
    assert err is not None and err.killed == "timeout" and err.message == "timed out after 4 s in secret_b"
    notes = "\n".join(out.instructor_notes)
    assert "[hidden] timed out after 4 s in secret_b" in notes
    # secret_a and secret_b went on in the worker that ran the public probe (its files loaded
    # once, its job still the public one); after the kill, secret_c got a fresh worker.
    hidden = fd_lines(notes)
    assert hidden[:2] == [seen, seen] and hidden[2][0] != seen[0] and hidden[2][1] == "secret_c", hidden
    assert notes.count("LOADED") == 1   # only the fresh worker loaded the file again
    # Never at once: the hidden probes started after the public one was done and sealed, so
    # nothing of the student's visible work ran while a worker held hidden inputs.
    public_start, public_end = times(public.output)
    hidden_start, _ = times(out.observations["secret_a"].output)
    assert hidden_start > public_end


SAVE_ARGS = {"learning_rate": 0.5, "training_epochs": 1, "batch_size": 128, "folder": "public"}


@pytest.mark.slow
def test_an_artifact_is_verified_in_a_worker_that_never_ran_student_code(two: Runner) -> None:
    code = (ROOT / "solutions" / "save_restore.py").read_text() + "\nprint('LOADED')\n"
    save = Probe("save", "save_restore", SAVE_ARGS, timeout=90.0, exercise="save_restore")
    verify = Probe("verify", "verify_checkpoint", {"splits": ["test", "relabelled"]}, group="artifact",
                   needs="save")
    out = two.run({"save_restore.py": code}, [save, verify])
    saved, checked = out.observations["save"], out.observations["verify"]
    assert saved.ok and checked.ok, out
    (model,) = checked.value["models"]
    assert (model["weights"], model["bias"]) == ("weights", "bias")
    assert abs(model["accuracy"]["test"] - saved.value["saved_accuracy"]) < 0.0025
    assert model["accuracy"]["relabelled"] < 0.2
    assert "LOADED" not in "\n".join(out.instructor_notes)   # the clean worker loaded no student file


@pytest.mark.slow
def test_a_forged_or_missing_artifact_is_a_finding_not_a_crash(two: Runner) -> None:
    forger = ("import os\n\ndef train_and_save(mnist, save_file, *args):\n"
              "    with open(save_file + '.index', 'wb') as f:\n        f.write(b'garbage')\n"
              "    os.mkdir(save_file + '.dir')\n    return 0.9\n\n"
              "def restore_and_evaluate(mnist, save_file):\n    return 0.9\n")
    save = Probe("save", "save_restore", SAVE_ARGS, exercise="save_restore")
    verify = Probe("verify", "verify_checkpoint", group="artifact", needs="save")
    forged = two.run({"save_restore.py": forger}, [save, verify]).observations["verify"]
    assert forged.ok and forged.value["files"] == ["model.ckpt.index"] and forged.value["error"]
    assert forged.value["models"] == []
    broken = "def train_and_save(*args):\n    raise ValueError('no')\n"
    missing = two.run({"save_restore.py": broken}, [save, verify]).observations["verify"]
    assert missing.error is not None and missing.error.type == "NoArtifact"


@pytest.mark.slow
def test_without_isolation_every_group_shares_the_students_worker() -> None:
    """The switch the bench compares against: one worker per submission, as before groups."""
    probes = [relu_probe("public", 2), relu_probe("secret_a", 4, "hidden")]
    with Runner(Limits(load_timeout=10, student_timeout=60), jobs=2, isolate_groups=False) as r:
        out = r.run({"relu_model.py": SNOOP}, probes)
    assert "JOB ['public', 'secret_a']" in out.observations["public"].output
    assert out.instructor_notes == ()


HOG_AT_FIVE_ROWS = SOLUTION_RELU.replace("def relu_model(", "def _relu_model(") + '''
import time


def relu_model(features, weights, biases):
    if int(features.shape[0]) == 5:
        hoard = bytearray(800 << 20)
        hoard[::4096] = b"x" * len(range(0, len(hoard), 4096))
        time.sleep(3.0)
    return _relu_model(features, weights, biases)
'''


@pytest.mark.slow
def test_a_memory_kill_in_a_hidden_group_stays_in_that_group() -> None:
    if os.geteuid() != 0:
        pytest.skip("the memory poll watches per-slot uids: run as root")
    probes = [relu_probe("public", 2), relu_probe("secret_c", 5, "hidden"), relu_probe("secret_a", 4, "hidden")]
    with Runner(Limits(load_timeout=10, student_timeout=60, memory_mb=512), jobs=2) as r:
        out = r.run({"relu_model.py": HOG_AT_FIVE_ROWS}, probes)
    assert out.observations["public"].ok and out.observations["secret_a"].ok  # rerun after the kill
    err = out.observations["secret_c"].error
    assert err is not None and err.killed == "memory"
    assert out.problems == ()
    assert "[hidden] exceeded the 512 MiB memory limit in secret_c" in out.instructor_notes
