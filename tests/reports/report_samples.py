"""Results built in code for the report tests: a small class with known numbers and hostile text.

No TensorFlow: these are the StudentResult values grading would produce.
"""

from __future__ import annotations

from typing import Any

from grader.model import CheckResult, ExerciseResult, StudentResult

# The ReLU quiz's expected logits (lesson 9) and what a network without the ReLU gives instead.
QUIZ_LOGITS = [[5.11, 8.44], [0.0, 0.0], [24.01, 38.24]]
NO_RELU_LOGITS = [[5.11, 8.44], [-5.11, -8.44], [24.01, 38.24]]

# Distinctive numbers a hidden check holds; the student view must never show them.
HIDDEN_EXPECTED = [[913.2468, -4057.1357], [0.5791, 7531.9864]]
HIDDEN_GOT = [[913.2468, -4057.1357], [1.3572, 8642.0975]]
HIDDEN_INPUT = 6174.8642
HIDDEN_OUTPUT = "debug: hidden batch mean 2718.2818"
HIDDEN_TRACE_LINE = 7

# Payloads: if any of these ran in a browser, window.__pwned would be set.
SCRIPT = "<script>window.__pwned = 'script'</script>"
IMG = "<img src=x onerror=\"window.__pwned = 'img'\">"
TEXTAREA = "</textarea><script>window.__pwned = 'textarea'</script>"
PAYLOADS = (SCRIPT, IMG, TEXTAREA)

RELU_SOURCE = '''import tensorflow.compat.v1 as tf


def relu_model(features, weights, biases):
    hidden = tf.add(tf.matmul(features, weights[0]), biases[0])
    logits = tf.add(tf.matmul(hidden, weights[1]), biases[1])
    return logits[5]
'''

COUNT_SOURCE = '''def parameter_count(n_inputs, n_hidden, n_classes):
    return n_inputs * n_hidden + n_hidden + n_hidden * n_classes + n_classes
'''


def _check(exercise: str, name: str, title: str, status: str, points: float, *, hidden: bool = False,
           message: str = "Correct.", **extra: object) -> CheckResult:
    return CheckResult(
        check_id=f"{exercise}.{name}", exercise=exercise, title=title,
        score=points if status == "passed" else 0.0, max_score=points,
        status=status, message=message,  # type: ignore[arg-type]
        visibility="hidden" if hidden else "public", **extra,  # type: ignore[arg-type]
    )


def _exercise(name: str, title: str, checks: list[CheckResult], source: str = "",
              source_name: str = "") -> ExerciseResult:
    return ExerciseResult(name=name, title=title, score=sum(c.score for c in checks),
                          max_score=sum(c.max_score for c in checks), checks=tuple(checks),
                          source=source, source_name=source_name or (f"{name}.py" if source else ""))


def _student(student_id: str, exercises: list[ExerciseResult], **extra: object) -> StudentResult:
    return StudentResult(student_id=student_id, score=sum(e.score for e in exercises),
                         max_score=sum(e.max_score for e in exercises), exercises=tuple(exercises),
                         grader_version="0.1.0", execution_time=12.5, **extra)  # type: ignore[arg-type]


def _kw(values: dict[str, Any]) -> dict[str, Any]:
    """Optional CheckResult fields, typed loosely for the sample builders."""
    return values


def count_exercise(status: str) -> ExerciseResult:
    return _exercise("parameter_count", "Counting parameters", [
        _check("parameter_count", "lesson", "parameter_count for 784-256-10", status, 2,
               message="Correct." if status == "passed" else "Not attempted yet.",
               hint="Weights plus biases in each layer."),
    ], COUNT_SOURCE if status == "passed" else "")


def relu_exercise(public: str, hidden: str, square: str, **public_extra: object) -> ExerciseResult:
    checks = [
        _check("relu_model", "lesson_inputs", "relu_model on the ReLU quiz's inputs", public, 4,
               message="Matches the quiz's expected output." if public == "passed" else
               "The output matches a network with no ReLU: apply tf.nn.relu to the hidden layer.",
               hint="hidden = relu(features @ W0 + b0); logits = hidden @ W1 + b1.",
               **_kw({"mistake": "relu_missing", "expected": QUIZ_LOGITS, "got": NO_RELU_LOGITS}
                     if public == "failed" else {}),
               inputs={"relu_model.lesson": {"features": [[1.0, 2.0, 3.0, 4.0]]}}, **_kw(public_extra)),
        _check("relu_model", "new_inputs", "relu_model on unseen inputs with negative values and biases",
               hidden, 6, hidden=True,
               message="Correct." if hidden == "passed" else
               "The logits are not what a ReLU hidden layer followed by a linear output layer gives.",
               hint="Only the hidden layer gets a ReLU; both layers add their biases.",
               **_kw({"mistake": "wrong_values", "expected": HIDDEN_EXPECTED, "got": HIDDEN_GOT,
                   "output": HIDDEN_OUTPUT} if hidden == "failed" else {}),
               inputs={"relu_model.hidden_shapes": {"features": [[HIDDEN_INPUT, -1.5]]}}),
        _check("relu_model", "square_weights", "relu_model with square hidden weights", square, 2, hidden=True,
               message="Correct." if square == "passed" else
               f"`relu_model` raised IndexError: index 5 is out of bounds (value {HIDDEN_INPUT})",
               hint="Weights are [inputs, outputs]: tf.matmul(features, weights[0]).",
               **_kw({"traceback": 'Traceback (most recent call last):\n  File "relu_model.py", line '
                                f'{HIDDEN_TRACE_LINE}, in relu_model\n    return logits[5]\n'
                                f"IndexError: index 5 is out of bounds (value {HIDDEN_INPUT})"}
                  if square == "error" else {})),
    ]
    return _exercise("relu_model", "A ReLU hidden layer", checks, RELU_SOURCE)


def alice() -> StudentResult:
    """Full marks."""
    return _student("alice", [count_exercise("passed"), relu_exercise("passed", "passed", "passed")])


def bob() -> StudentResult:
    """A public numeric failure, a hidden failure with values, a hidden error with a traceback."""
    return _student("bob", [count_exercise("passed"), relu_exercise(
        "failed", "failed", "error", output="step 1\nlogits shape (3, 2)\n" + "x" * 5000)])


def carol() -> StudentResult:
    """Nothing attempted, and a problem with the submission."""
    return _student("carol", [count_exercise("not_attempted"), relu_exercise("passed", "failed", "passed")],
                    problems=("relu_model.py took longer than 30 s to load and was stopped.",))


def shapes() -> StudentResult:
    """A public check whose answer has the wrong shape."""
    ex = _exercise("relu_model", "A ReLU hidden layer", [
        _check("relu_model", "lesson_inputs", "relu_model on the ReLU quiz's inputs", "failed", 4,
               message="The logits have shape [2, 3], but [3, 2] was expected ([batch, n_classes]).",
               mistake="wrong_shape", expected=QUIZ_LOGITS, got=[[5.11, 0.0, 24.01], [8.44, 0.0, 38.24]]),
    ], RELU_SOURCE)
    return _student("dave", [ex])


MALLORY_ID = "mallory" + IMG


def mallory() -> StudentResult:
    """Every text field a student controls carries a payload."""
    source = f"print({SCRIPT!r})\n# {TEXTAREA}\ndef relu_model(f, w, b):\n    raise ValueError({IMG!r})\n"
    name = "relu_model.py"
    check = _check(
        "relu_model", "lesson_inputs", "relu_model on the ReLU quiz's inputs", "failed", 4,
        message=f"`relu_model` raised ValueError: {IMG}{TEXTAREA}",
        hint="hidden = relu(features @ W0 + b0); logits = hidden @ W1 + b1.",
        traceback=f'Traceback (most recent call last):\n  File "{name}", line 4, in relu_model\n'
                  f"    raise ValueError({IMG!r})\nValueError: {IMG}{SCRIPT}",
        output=f"{SCRIPT}\n{TEXTAREA}\n{IMG}\n",
        expected=QUIZ_LOGITS, got=SCRIPT,
    )
    hidden = _check("relu_model", "new_inputs", "relu_model on unseen inputs", "failed", 6, hidden=True,
                    message=f"raised: {SCRIPT}", output=TEXTAREA, traceback=IMG)
    ex = ExerciseResult(name="relu_model", title="A ReLU hidden layer", score=0.0, max_score=10.0,
                        checks=(check, hidden), source=source, source_name=f"{TEXTAREA}{IMG}.py")
    return StudentResult(student_id=MALLORY_ID, score=0.0, max_score=10.0, exercises=(ex,),
                         problems=(f"could not read {TEXTAREA}{IMG}.ipynb",), output=SCRIPT + IMG,
                         grader_version="0.1.0")


LONG_ID = "maria.fernanda_gonzalez-rodriguez@student.university-of-example.edu"


def long_id() -> StudentResult:
    """A long id, notes among the problems, a repeated problem, and nothing passed."""
    return _student(LONG_ID, [count_exercise("not_attempted"), relu_exercise("failed", "failed", "error")],
                    problems=("Note: cell 3: skipped IPython magic `%matplotlib inline` (never run)",
                              "relu_model.py printed 12,000 lines; only the last 4,000 characters are kept.",
                              "relu_model.py printed 12,000 lines; only the last 4,000 characters are kept."))


def class_results() -> list[StudentResult]:
    return [alice(), bob(), carol(), shapes(), mallory()]
