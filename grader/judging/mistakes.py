"""Mistake ids in teaching words, for instructors' views (the dashboard's misconceptions).

A judge names a mistake with a short id (`Fail(..., mistake="relu_on_output")`); the
student reads the judge's own message, the instructor reads the class-wide name here.
Ids that are not misconceptions (the code did not run, nothing was submitted) are
listed in NOT_MISCONCEPTIONS so analytics count them in their own row.

Where the words live: the table below holds the ids the shipped exercises share (a wrong
shape, a hard-coded answer, a softmax where logits were asked are families of several
exercises) and the lesson's own families, grouped by exercise, so rewording one is a one-line
diff in one place. An exercise added later declares the words of its own ids beside its
mistake families instead: a module-level `TEACHING_WORDS = {id: words}` in its check (or
oracle) module, which `declared_words()` collects. So a new exercise does not edit this file,
and an id it shares with the table keeps the table's words (tests/judging/test_exercises.py
checks that no module gives a table id other words).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Mapping

TEACHING_WORDS: dict[str, str] = {
    # parameter counting
    "biases_forgotten": "biases not counted",
    "biases_per_input": "one bias per input instead of per output",
    "input_layer_biases": "biases given to the input layer too",
    "sizes_added": "layer sizes added instead of multiplied",
    "product_of_sizes": "all layer sizes multiplied together",
    "counted_variables": "counted variables, not the scalars in them",
    "counted_graph_variables": "counted the graph's trainable variables, not the ones given",
    "counted_all_graph_variables": "counted every variable in the graph, not the ones given",
    "penalised_graph_variables": "penalised the graph's trainable variables, not the weights given",
    "penalised_all_graph_variables": "penalised every variable in the graph, not the weights given",
    "mean_over_tensors": "mean over the weight tensors instead of their sum",
    "dims_added": "dimensions added instead of multiplied",
    "first_dim_only": "only the first dimension of each shape counted",
    "first_layer_only": "only the first layer counted",
    "last_layer_only": "only the last layer counted",
    "inputs_only": "counted the inputs only",
    "outputs_only": "counted the outputs only",
    # ReLU networks
    "relu_missing": "no ReLU on the hidden layer",
    "relu_on_output": "ReLU also on the output layer",
    "biases_ignored": "biases never added",
    "relu_before_bias": "ReLU applied before adding the bias",
    "relu_on_input": "ReLU applied to the inputs",
    "transposed_weights": "weights used transposed",
    "sigmoid_hidden": "sigmoid instead of ReLU",
    "leaky_relu": "leaky ReLU instead of ReLU",
    "softmax_output": "softmax probabilities returned instead of logits",
    "hard_coded": "answer hard-coded for the lesson's inputs",
    "quiz_rerun_error": "quiz script fails on other values of the quiz's names",
    # training, saving, restoring
    "low_accuracy": "network trained too little (learning rate or epochs)",
    "other_optimizer": "another optimizer than the one asked for",
    "not_training": "the optimizer never runs",
    "accuracy_mismatch": "accuracy not measured on the data given",
    "accuracy_not_measured": "accuracy typed in or not computed",
    "wrong_split": "evaluated on the wrong data split",
    "broken_accuracy_metric": "accuracy computed wrongly (far below chance)",
    "no_checkpoint": "no checkpoint written",
    "saved_before_training": "saved before training",
    "initializer_after_restore": "initializer run after restore",
    "initializer_not_run": "variables used before the initializer ran",
    "restore_before_variables": "restore before the variables exist",
    "saver_before_variables": "Saver made before any variable existed",
    "hard_coded_path": "checkpoint path written into the code instead of save_file",
    "restore_fails": "checkpoint cannot be restored",
    "restore_error": "restoring raises an error",
    "restore_wrong_values": "restored values differ from the saved ones",
    "unnamed_variables": "variables not named",
    "colon_in_name": "':0' written into the variable's name",
    "wrong_names": "wrong variable names",
    "swapped_names": "variable names swapped",
    "swapped_order": "variables created in the wrong order",
    "constant_weights": "constants instead of variables",
    "not_variable": "not a tf.Variable",
    # regularization
    "half_missing": "the 1/2 of the L2 penalty left out",
    "beta_missing": "penalty not multiplied by beta",
    "loss_missing": "penalty returned without the loss",
    "beta_on_loss": "beta applied to the whole loss",
    "penalty_subtracted": "penalty subtracted",
    "norm_not_squared": "norm not squared",
    "l1_norm": "L1 penalty (absolute values) instead of L2",
    "l1_norm_no_half": "L1 penalty (absolute values) instead of L2",
    "mean_instead_of_sum": "mean of the squared weights instead of their sum",
    "first_weight_only": "only the first weight tensor penalised",
    "last_weight_only": "only the last weight tensor penalised",
    # dropout
    "no_dropout": "no dropout applied",
    "keep_prob_as_rate": "keep_prob passed as the drop rate",
    "keep_prob_ignored": "keep_prob ignored (fixed rate)",
    "not_scaled": "kept units not scaled by 1/keep_prob",
    "dropout_on_output": "dropout on the output layer",
    "dropout_on_inputs": "dropout on the inputs",
    "dropout_before_bias": "dropout before adding the bias",
    "wrong_keep_rate": "wrong fraction of units kept",
    "never_drops": "units never dropped",
    "keep_prob_one_changes_output": "keep_prob 1.0 changes the output",
    "keep_prob_inverted": "keep_prob inverted",
    "not_a_dropout_mask": "output not explained by any dropout mask",
    # quiz
    "integrated": "integrated instead of differentiated",
    "squared_norm": "the norm itself, not its derivative",
    "not_an_option": "answer is not one of the options",
    "batching": "thinks dropout does not work with batching",
    "too_low": "thinks keep_prob 0.5 is too low",
    "no_value": "thinks keep_prob need not be fed when testing",
    "hidden_only": "stored the hidden layer, not the logits",
    "softmax_applied": "softmax probabilities returned instead of logits",
    "several_options": "named more than one option",
    # code
    "numpy_on_tensor": "numpy called on graph tensors",
    # generic value problems
    "wrong_shape": "wrong output shape",
    "wrong_shapes": "wrong shapes",
    "wrong_values": "wrong values",
    "wrong_value": "wrong value",
    "wrong_count": "wrong count",
    "wrong_type": "wrong return type",
    "wrong_keys": "wrong keys",
    "not_finite": "NaN or infinite values",
    "all_zeros": "all zeros",
    "not_scalar": "not a scalar",
    "not_a_fraction": "not a fraction between 0 and 1",
}

# Not misunderstandings of the lesson: the code could not be judged at all.
NOT_MISCONCEPTIONS: frozenset[str] = frozenset({
    "missing_function", "file_not_loaded", "malformed", "timeout", "memory", "crash",
    "not_attempted", "grader_error",
})


def student_text(mistake: str | None) -> str:
    """What a hidden check tells the student when its judge gave no student-safe message."""
    if mistake and is_misconception(mistake) and teaching_words(mistake):
        return f"On inputs you have not seen, your answer shows a known mistake: {describe_mistake(mistake)}."
    return "Your answer is not right on inputs you have not seen."


# Packages whose modules may declare TEACHING_WORDS beside their mistake families.
DECLARING_PACKAGES = ("grader.judging.checks.", "grader.judging.oracles.")


@functools.cache
def declared_words() -> dict[str, str]:
    """Teaching words that exercise modules declare beside their mistake families.

    The check modules are loaded first (as grading does), so the words are the same whether
    or not this process has judged anything yet (`grader merge` and `grader report` do not).
    Loaded once per process: the modules do not change while it runs. Callers must not mutate it.
    """
    from grader.judging.checks import load_checks

    load_checks()
    out: dict[str, str] = {}
    for name, module in sorted(sys.modules.items()):
        words = getattr(module, "TEACHING_WORDS", None) if name.startswith(DECLARING_PACKAGES) else None
        if isinstance(words, Mapping):
            out.update({str(k): str(v) for k, v in words.items()})
    return out


def teaching_words(mistake: str) -> str | None:
    """The words for `mistake`: the table's, else an exercise module's, else None."""
    if mistake in TEACHING_WORDS:
        return TEACHING_WORDS[mistake]
    return declared_words().get(mistake)


def describe_mistake(mistake: str) -> str:
    """The teaching words for a mistake id (the id made readable when it has none)."""
    return teaching_words(mistake) or mistake.replace("_", " ")


def is_misconception(mistake: str | None) -> bool:
    return bool(mistake) and mistake not in NOT_MISCONCEPTIONS
