"""results.json: Gradescope's schema, a lossless round trip, and nothing hidden leaking."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import pytest
from snapshot_support import Snapshot

from grader.model import CheckResult, ExerciseResult, StudentResult
from grader.storage.results import ResultsFileError, from_gradescope, load_result
from grader.reports.feedback import student_text
from grader.reports.gradescope_text import to_gradescope, write_result

SECRET = [[123.456, 789.25]]


def _result() -> StudentResult:
    public = CheckResult(
        check_id="relu_model.lesson_inputs", exercise="relu_model", title="ReLU on quiz inputs",
        score=0.0, max_score=4.0, status="failed", message="ReLU on the output too.",
        visibility="public", hint="Hidden layer only.", mistake="relu_on_output",
        expected=[[5.11, 8.44]], got=[[5.11, float("nan")]], inputs={"relu_model.lesson": {"features": [[1.0]]}},
        traceback="Traceback ...\nValueError: x", output="printed\n", duration=0.25)
    hidden = CheckResult(
        check_id="relu_model.new_inputs", exercise="relu_model", title="ReLU on unseen inputs",
        score=0.0, max_score=6.0, status="failed", message="Not what a ReLU hidden layer gives.",
        visibility="hidden", hint="secret-ish hint", mistake="wrong_values",
        expected=SECRET, got=[[1.0, 2.0]], inputs={"relu_model.hidden_shapes": {"features": SECRET}},
        traceback="Traceback: secret frame", output="secret print")
    stub = CheckResult(
        check_id="parameter_count.count", exercise="parameter_count", title="Count",
        score=2, max_score=2, status="passed", message="Correct.", visibility="public")
    return StudentResult(
        student_id="ada lovelace", score=2.0, max_score=12.0,
        exercises=(
            ExerciseResult("parameter_count", "Counting parameters", 2.0, 2.0, (stub,), "N = 1\n", "parameter_count.py"),
            ExerciseResult("relu_model", "A ReLU hidden layer", 0.0, 10.0, (public, hidden), "def f(): ...", "relu_model.py"),
        ),
        problems=("notebook.ipynb: 1 cell skipped",), output="worker said hi", execution_time=3.7,
        grader_version="0.1.0")


def _same(a: StudentResult, b: StudentResult) -> None:
    # NaN != NaN, so compare through JSON where NaN is tagged.
    assert json.dumps(to_gradescope(a), sort_keys=True) == json.dumps(to_gradescope(b), sort_keys=True)


def test_gradescope_schema_fields() -> None:
    doc = to_gradescope(_result())
    assert doc["score"] == 2.0 and isinstance(doc["execution_time"], (int, float))
    assert isinstance(doc["output"], str) and "2 / 12" in doc["output"]
    assert [t["number"] for t in doc["tests"]] == ["1.1", "2.1", "2.2"]
    for t in doc["tests"]:
        assert set(t) >= {"name", "number", "score", "max_score", "status", "output", "visibility", "tags", "extra_data"}
        assert t["status"] in ("passed", "failed")
        assert t["visibility"] in ("visible", "hidden", "after_due_date", "after_published")
    assert doc["tests"][0]["status"] == "passed"
    assert doc["tests"][2]["visibility"] == "after_published"
    assert doc["tests"][1]["extra_data"]["status"] == "failed"
    assert doc["extra_data"]["exercises"][1]["source"] == "def f(): ..."
    json.dumps(doc, allow_nan=False)  # strict JSON: NaN is tagged, not written bare


def test_hidden_output_is_the_student_view_text() -> None:
    # Issue 9: a hidden check's own message may quote hidden inputs, so Gradescope's `output`
    # is exactly the student view's text (status, named mistake, hint), never the message.
    hidden = to_gradescope(_result())["tests"][2]
    assert hidden["output"] == student_text(_result().checks[2])
    assert hidden["output"].startswith("Failed: ") and "wrong_values" in hidden["output"]
    assert "Hint: secret-ish hint" in hidden["output"]
    for leak in ("123.456", "secret frame", "secret print", "Traceback", "Not what a ReLU"):
        assert leak not in hidden["output"]
    assert hidden["extra_data"]["message"] == "Not what a ReLU hidden layer gives."
    public = to_gradescope(_result())["tests"][1]["output"]
    assert "Expected" in public and "5.11" in public and "Hint" in public


def test_round_trip_is_lossless(tmp_path: Path) -> None:
    r = _result()
    back = from_gradescope(json.loads(json.dumps(to_gradescope(r))))
    _same(back, r)
    assert math.isnan(back.exercises[1].checks[0].got[0][1])
    assert back.exercises[0] == r.exercises[0]
    assert back.exercises[1].checks[1] == r.exercises[1].checks[1]
    path = tmp_path / "s" / "results.json"
    write_result(r, path)
    _same(load_result(path), r)
    assert [p.name for p in path.parent.iterdir()] == ["results.json"]  # no temp file left


@pytest.mark.parametrize("text", ["", "{", "[]", '{"tests": []}',
                                  '{"tests": [], "extra_data": {"schema": "other"}}'])
def test_bad_files_raise_our_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "results.json"
    path.write_text(text)
    with pytest.raises(ResultsFileError):
        load_result(path)


def test_missing_file_raises_our_error(tmp_path: Path) -> None:
    with pytest.raises(ResultsFileError):
        load_result(tmp_path / "nope.json")


def test_tampered_test_rejected() -> None:
    doc = to_gradescope(_result())
    doc["tests"][0]["extra_data"]["status"] = "amazing"
    with pytest.raises(ResultsFileError):
        from_gradescope(doc)
    doc = to_gradescope(_result())
    del doc["tests"][2]
    with pytest.raises(ResultsFileError):
        from_gradescope(doc)


def test_size_is_bounded_and_cuts_are_marked(tmp_path: Path) -> None:
    from grader.storage.results import MAX_RESULTS_BYTES

    r = _result()
    huge = replace(r.exercises[1].checks[0], output="p" * 600_000, traceback="t" * 600_000,
                   got=list(range(100_000)), expected="e" * 600_000, message="m" * 100_000)
    source = "x = 1\n" * 100_000
    ex = replace(r.exercises[1], checks=(huge, r.exercises[1].checks[1]), source=source)
    big = replace(r, exercises=(r.exercises[0], ex), output="o" * 900_000, problems=("q" * 20_000,) * 60)
    path = tmp_path / "results.json"
    write_result(big, path)
    assert path.stat().st_size <= MAX_RESULTS_BYTES
    doc = json.loads(path.read_text())
    test = doc["tests"][1]["extra_data"]
    assert test["got"]["truncated"] is True and test["expected"]["truncated"] is True
    assert "truncated" in test["output"] and "truncated" in test["traceback"] and "truncated" in test["message"]
    assert "truncated" in doc["extra_data"]["exercises"][1]["source"]
    assert "truncated" in doc["tests"][1]["output"]
    back = load_result(path)
    assert back.exercises[1].checks[0].output.endswith("p" * 100)  # printed output keeps its end


def test_source_stored_once_per_file() -> None:
    r = _result()
    shared = "def relu_model(): ...\ndef count(): ...\n" * 100
    exercises = tuple(replace(e, source=shared, source_name="all.py") for e in r.exercises)
    doc = to_gradescope(replace(r, exercises=exercises))
    assert json.dumps(doc).count("def count") == 100  # one copy, not one per exercise
    back = from_gradescope(json.loads(json.dumps(doc)))
    assert [e.source for e in back.exercises] == [shared, shared]


def test_grader_errors_round_trip_and_student_sees_plain_words() -> None:
    from grader.errors import GRADER_ERROR_MESSAGE

    r = _result()
    broken = replace(r.exercises[1].checks[0], status="error", message=GRADER_ERROR_MESSAGE,
                     grader_error="judging relu_model.lesson_inputs: KeyError: 'x'")
    hidden = replace(r.exercises[1].checks[1], status="error", message=GRADER_ERROR_MESSAGE, grader_error="boom")
    r = replace(r, exercises=(r.exercises[0], replace(r.exercises[1], checks=(broken, hidden))),
                grader_errors=("judging relu_model.lesson_inputs: KeyError: 'x'",))
    doc = to_gradescope(r)
    assert doc["tests"][1]["output"] == GRADER_ERROR_MESSAGE
    assert doc["tests"][2]["output"] == f"Error: {GRADER_ERROR_MESSAGE}"
    assert "KeyError" not in doc["tests"][1]["output"] + doc["output"]
    back = from_gradescope(json.loads(json.dumps(doc)))
    assert back.grader_errors == r.grader_errors and back.checks[1].grader_error.startswith("judging")


def test_text_that_is_not_utf8_is_written_as_utf8(tmp_path: Path) -> None:
    r = replace(_result(), student_id="caf\udce9", output="lone \ud800 and pair \ud83d\ude00")
    path = tmp_path / "results.json"
    write_result(r, path)
    text = path.read_bytes().decode("utf-8")
    assert "lone \ufffd and pair \U0001f600" in text
    assert load_result(path).student_id == "caf\ufffd"


def test_load_class_lists_unreadable_files(tmp_path: Path) -> None:
    from grader.storage.results import load_class

    write_result(_result(), tmp_path / "ada" / "results.json")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "results.json").write_text('{"score": 1e400, "tests": []}')
    (tmp_path / "nan").mkdir()
    doc = to_gradescope(_result())
    doc["extra_data"]["score"] = float("nan")
    (tmp_path / "nan" / "results.json").write_text(json.dumps(doc))
    (tmp_path / "huge").mkdir()
    (tmp_path / "huge" / "results.json").write_text(json.dumps(to_gradescope(_result())).replace(
        '"score": 2.0', '"score": ' + "9" * 5000, 1))
    loaded = load_class(tmp_path)
    assert list(loaded.results) == ["ada"] and set(loaded.errors) == {"bad", "nan", "huge"}


def test_many_big_checks_shrink_to_fit(tmp_path: Path) -> None:
    from grader.storage.results import MAX_RESULTS_BYTES

    r = _result()
    base = replace(r.exercises[1].checks[0], output="p" * 20_000, traceback="t" * 20_000, message="m" * 20_000,
                   hint="h" * 20_000, got="g" * 20_000, expected="e" * 20_000, inputs="i" * 20_000)
    checks = tuple(replace(base, check_id=f"relu_model.c{i}") for i in range(80))
    big = replace(r, exercises=(replace(r.exercises[1], checks=checks),))
    path = tmp_path / "results.json"
    write_result(big, path)
    assert 100_000 < path.stat().st_size <= MAX_RESULTS_BYTES  # shrunk, not emptied
    assert len(load_result(path).checks) == 80
    write_result(big, path, max_bytes=200_000)
    assert path.stat().st_size <= 200_000
    with pytest.raises(ResultsFileError):
        write_result(big, path, max_bytes=1000)


def test_tolerance_and_checks_digest_round_trip() -> None:
    r = _result()
    tolerant = replace(r.exercises[1].checks[0], tolerance=(1e-4, 1e-6))
    r = replace(r, exercises=(r.exercises[0], replace(r.exercises[1], checks=(tolerant, r.exercises[1].checks[1]))),
                checks_digest="abc123")
    back = from_gradescope(json.loads(json.dumps(to_gradescope(r))))
    assert back.checks[1].tolerance == (1e-4, 1e-6) and back.checks_digest == "abc123"


def test_a_huge_hint_on_a_hidden_check_still_fits() -> None:
    """Found by the size fuzz test: a hidden check's output (its student text) was not capped."""
    from grader.storage.results import MAX_RESULTS_BYTES
    from grader.reports.gradescope_text import dumps

    hint = "\x1f\x07" * 200_000  # control characters take 6 bytes each in JSON
    c = CheckResult("relu_model.h", "relu_model", "t", 0.0, 1.0, "failed", "", "hidden", hint=hint)
    r = StudentResult("s", 0.0, 1.0, (ExerciseResult("relu_model", "A", 0.0, 1.0, (c,)),))
    text = dumps(r)
    assert len(text.encode("utf-8")) <= MAX_RESULTS_BYTES and "truncated" in text


def test_the_results_document_is_pinned(snapshot: Snapshot) -> None:
    """What Gradescope and CI read, for every sample student and every level of caps, is a reviewed
    diff of tests/reports/snapshots/test_results_io.json when it changes (tests/snapshot_support.py)."""
    from report_samples import class_results

    from grader.storage.results import _CAP_LEVELS
    from grader.reports.gradescope_text import dumps, summary_text, test_output

    for r in [_result(), *class_results()]:
        for caps in _CAP_LEVELS:
            snapshot.check({"student": r.student_id, "caps": list(vars(caps).values()),
                             "document": to_gradescope(r, caps), "summary": summary_text(r, caps),
                             "outputs": [test_output(c, caps) for e in r.exercises for c in e.checks]})
        for limit in (512 * 1024, 12000, 8000, 6000, 5500, 4500, 3500):
            try:
                text = dumps(r, limit)
            except ResultsFileError as exc:
                snapshot.check({"limit": limit, "error": str(exc)})
            else:
                snapshot.check({"limit": limit, "bytes": len(text.encode()), "compact": "\n " not in text})


def test_a_value_exactly_at_its_cap_is_kept_whole() -> None:
    from grader.storage.results import _capped

    value = [[1.5, 2.25]]
    size = len(json.dumps(value))
    assert _capped(value, size) == value
    assert _capped(value, size - 1) == {"truncated": True, "preview": json.dumps(value)[:size - 1]}


def test_a_results_file_exactly_at_the_size_limit_is_written_in_full() -> None:
    from grader.storage.results import _CAP_LEVELS
    from grader.reports.gradescope_text import dumps

    r = replace(_result(), student_id="Zoë Ødegaard")  # non-ASCII: written as UTF-8, counted in bytes
    full = dumps(r)
    assert "Zoë Ødegaard" in full
    size = len(full.encode("utf-8"))
    assert dumps(r, size) == full
    smaller = dumps(r, size - 1)
    assert smaller != full and len(smaller.encode("utf-8")) < size
    compact = json.dumps(to_gradescope(r, _CAP_LEVELS[-1]), allow_nan=False, ensure_ascii=False) + "\n"
    assert dumps(r, len(compact.encode("utf-8"))) == compact


def _paths(node: object, at: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Every key and list index path in a JSON document, outermost first."""
    out = [at] if at else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*at, k))
    elif isinstance(node, list):
        for i, v in enumerate(node[:2]):
            out += _paths(v, (*at, i))
    return out


def _edited(doc: object, path: tuple[object, ...], value: object) -> object:
    """A deep copy of `doc` with the node at `path` replaced by `value` (or removed, for _GONE)."""
    copy = json.loads(json.dumps(doc))
    parent = copy
    for key in path[:-1]:
        parent = parent[key]  # type: ignore[index]
    if value is _GONE:
        del parent[path[-1]]  # type: ignore[union-attr,arg-type]
    else:
        parent[path[-1]] = value  # type: ignore[index]
    return copy


_GONE = object()


def test_every_field_of_a_results_file_is_checked(snapshot: Snapshot) -> None:
    """Each field of a results.json removed, or given a value of another type: reading it either names
    the field (and where it is) in a ResultsFileError, or falls back to the field's default. Never
    another exception. What happens to each is pinned in the snapshot."""
    import hashlib

    doc = to_gradescope(_result())
    for path in _paths(doc):
        for label, value in (("removed", _GONE), ("wrong type", {"x": [True]}), ("text", "x")):
            try:
                got = from_gradescope(_edited(doc, path, value))  # type: ignore[arg-type]
            except ResultsFileError as exc:
                outcome = f"refused: {exc}"
            else:
                text = json.dumps(to_gradescope(got), sort_keys=True)
                outcome = "read: " + hashlib.sha256(text.encode()).hexdigest()[:16]
            snapshot.check(f"{'/'.join(map(str, path))} {label}: {outcome}")


def test_long_texts_keep_their_end_where_the_end_matters() -> None:
    from grader.storage.results import Caps
    from grader.reports.gradescope_text import test_output

    long = "start " + "x" * 20_000 + " the end"
    base = _result()
    check = replace(base.exercises[1].checks[0], traceback="  head\n" + long + "\n\n", instructor_message=long,
                    output=long)
    r = replace(base, output=long, exercises=(replace(base.exercises[1], checks=(check,)),))
    doc = to_gradescope(r, Caps())
    assert doc["extra_data"]["output"].endswith(" the end")
    assert doc["tests"][0]["extra_data"]["instructor_message"].endswith(" the end")
    shown = test_output(check, Caps())
    assert "the end\n\nYour code printed:" in shown and "the end\n\n\n" not in shown


def test_scores_that_are_not_finite_are_written_as_zero_and_odd_values_by_repr() -> None:
    base = _result()
    odd = replace(base.exercises[1].checks[0], expected=object(), got={1, 2})
    r = replace(base, score=float("nan"), max_score=float("inf"),
                exercises=(replace(base.exercises[1], checks=(odd,)),))
    doc = to_gradescope(r)
    assert doc["score"] == 0.0 and doc["extra_data"]["max_score"] == 0.0
    assert doc["tests"][0]["extra_data"]["got"] == "{1, 2}"
    assert doc["tests"][0]["extra_data"]["expected"].startswith("<object object at")
    many = replace(odd, expected=set(range(2000)))  # a repr far over 2,000 characters is cut there
    assert len(to_gradescope(replace(r, exercises=(replace(r.exercises[0], checks=(many,)),)))[
        "tests"][0]["extra_data"]["expected"]) == 2000


def test_a_results_file_too_big_to_fit_names_its_student_briefly() -> None:
    from grader.reports.gradescope_text import dumps

    r = replace(_result(), student_id="s" * 200)
    with pytest.raises(ResultsFileError, match=r"^results for '" + "s" * 80 + r"' do not fit in 100 bytes$"):
        dumps(r, 100)


def test_a_number_too_large_for_a_float_is_malformed(tmp_path: Path) -> None:
    doc = to_gradescope(_result())
    doc["extra_data"]["score"] = 10 ** 400
    path = tmp_path / "results.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ResultsFileError, match=r"malformed results \(OverflowError\)$"):
        load_result(path)


@pytest.mark.parametrize("field", ["score", "max_score", "execution_time"])
def test_a_number_field_that_is_true_is_the_wrong_type(field: str) -> None:
    doc = to_gradescope(_result())
    doc["extra_data"][field] = True
    with pytest.raises(ResultsFileError, match=f"'{field}' has the wrong type"):
        from_gradescope(doc)
