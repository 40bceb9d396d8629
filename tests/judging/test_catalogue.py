"""Realistic wrong submissions for exercises 1, 2, 6, 7 and 8: each loses the right points, for the right reason."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from catalogue_support import Wrong, check_row, grade_wrong, row_id  # noqa: F401 - grade_wrong is a fixture

from grader.model import StudentResult

PC, RELU, REG, DROP, QUIZ = "parameter_count", "relu_model", "regularization", "dropout", "quiz"

ROWS = [
    # Exercise 1: counting parameters.
    Wrong(PC, "biases_forgotten", "parameter_count.lesson_networks", "biases_forgotten", "weights only",
          unaffected=("parameter_count.lesson_variables", "parameter_count.other_variables")),
    Wrong(PC, "first_layer_only", "parameter_count.lesson_networks", "first_layer_only", "only the first layer",
          unaffected=("parameter_count.lesson_variables",)),
    Wrong(PC, "counted_variables", "parameter_count.lesson_variables", "counted_variables", "number of variables",
          unaffected=("parameter_count.lesson_networks", "parameter_count.other_networks")),
    Wrong(PC, "dims_added", "parameter_count.lesson_variables", "dims_added", "multiply them",
          unaffected=("parameter_count.lesson_networks",)),
    Wrong(PC, "input_layer_biases", "parameter_count.lesson_networks", "input_layer_biases", "input layer biases",
          unaffected=("parameter_count.lesson_variables",)),
    Wrong(PC, "input_layer_biases", "parameter_count.other_networks", "input_layer_biases", "input layer biases"),
    # The graph holds variables besides the ones passed: reading the graph instead shows.
    Wrong(PC, "counts_graph_variables", "parameter_count.lesson_variables", "counted_graph_variables",
          "tf.trainable_variables()", unaffected=("parameter_count.lesson_networks",)),
    Wrong(PC, "counts_graph_variables", "parameter_count.other_variables", "counted_graph_variables",
          "tf.trainable_variables()"),
    # Only a scalar variable, which the student never saw, exposes this one.
    Wrong(PC, "two_dims_assumed", "parameter_count.other_variables", None, "raised IndexError",
          unaffected=("parameter_count.lesson_networks", "parameter_count.lesson_variables",
                      "parameter_count.other_networks")),
    # Exercise 2: the ReLU model.
    Wrong(RELU, "relu_missing", "relu_model.lesson_inputs", "relu_missing", "no ReLU"),
    Wrong(RELU, "hard_coded", "relu_model.new_inputs", "hard_coded", "instead of returning fixed numbers",
          unaffected=("relu_model.lesson_inputs",)),
    # Zero biases in the quiz hide this; the hidden inputs have biases.
    Wrong(RELU, "biases_ignored", "relu_model.new_inputs", "biases_ignored", "never adds the biases",
          unaffected=("relu_model.lesson_inputs",)),
    Wrong(RELU, "relu_on_output", "relu_model.new_inputs", "relu_on_output", "logits must stay linear",
          unaffected=("relu_model.lesson_inputs",)),
    Wrong(RELU, "leaky_relu", "relu_model.lesson_inputs", "leaky_relu", "leaky ReLU"),
    Wrong(RELU, "leaky_relu", "relu_model.new_inputs", "leaky_relu", "leaky ReLU"),
    Wrong(RELU, "softmax_output", "relu_model.lesson_inputs", "softmax_output", "no softmax"),
    Wrong(RELU, "softmax_output", "relu_model.one_row_wide", "softmax_output", "no softmax"),
    Wrong(RELU, "transposed_weights", "relu_model.square_weights", "transposed_weights", "transposed"),
    Wrong(RELU, "syntax_error", "relu_model.lesson_inputs", "file_not_loaded",
          "relu_model.py could not be loaded: SyntaxError"),
    # Exercise 6: L2 regularization.
    Wrong(REG, "half_missing", "regularization.lesson_weights", "half_missing", "without the 1/2"),
    Wrong(REG, "beta_missing", "regularization.lesson_weights", "beta_missing", "never multiplied by beta"),
    Wrong(REG, "beta_missing", "regularization.one_weight", "beta_missing", "never multiplied by beta"),
    Wrong(REG, "first_weight_only", "regularization.lesson_weights", "first_weight_only", "only the first",
          unaffected=("regularization.one_weight",)),
    Wrong(REG, "last_weight_only", "regularization.three_weights", "last_weight_only", "only the last",
          unaffected=("regularization.one_weight",)),
    Wrong(REG, "norm_not_squared", "regularization.lesson_weights", "norm_not_squared", "without squaring"),
    # The graph holds a bias and a step counter besides the weights passed in.
    Wrong(REG, "penalises_graph_variables", "regularization.lesson_weights", "penalised_graph_variables",
          "tf.trainable_variables()"),
    Wrong(REG, "penalises_graph_variables", "regularization.three_weights", "penalised_graph_variables",
          "tf.trainable_variables()"),
    Wrong(REG, "mean_over_tensors", "regularization.lesson_weights", "mean_over_tensors", "MEAN of the tensors",
          unaffected=("regularization.one_weight",)),
    Wrong(REG, "keras_l2", "regularization.lesson_weights", "half_missing", "Keras"),
    # TensorFlow raises NotImplementedError here, not the stub: a named mistake, never "not attempted".
    Wrong(REG, "numpy_on_tensors", "regularization.lesson_weights", "numpy_on_tensor", "passed a TensorFlow tensor"),
    # Exercise 7: dropout.
    Wrong(DROP, "no_dropout", "dropout.lesson_keep_prob_half", "no_dropout", "no unit was ever dropped",
          unaffected=("dropout.lesson_keep_prob_one", "dropout.keep_prob_one")),
    Wrong(DROP, "never_drops", "dropout.lesson_keep_prob_half", "never_drops", "every unit was kept",
          unaffected=("dropout.lesson_keep_prob_one", "dropout.keep_prob_one")),
    # keep_prob 0.5 cannot tell keep_prob from rate; 0.8 can.
    Wrong(DROP, "keep_prob_as_rate", "dropout.other_keep_probs", "keep_prob_as_rate", "expects `rate`",
          unaffected=("dropout.lesson_keep_prob_half", "dropout.many_rows")),
    Wrong(DROP, "keep_prob_as_rate", "dropout.lesson_keep_prob_one", "keep_prob_inverted",
          "every hidden unit was dropped"),
    Wrong(DROP, "keep_prob_ignored", "dropout.lesson_keep_prob_one", "keep_prob_ignored", "instead of a constant",
          unaffected=("dropout.lesson_keep_prob_half", "dropout.many_rows")),
    Wrong(DROP, "keep_prob_ignored", "dropout.other_keep_probs", "keep_prob_ignored", "whatever keep_prob was fed"),
    Wrong(DROP, "dropout_on_output", "dropout.lesson_keep_prob_half", "dropout_on_output", "after the output layer",
          unaffected=("dropout.lesson_keep_prob_one", "dropout.keep_prob_one")),
    Wrong(DROP, "dropout_on_inputs", "dropout.many_rows", "dropout_on_inputs", "input features",
          unaffected=("dropout.lesson_keep_prob_one", "dropout.keep_prob_one")),
    Wrong(DROP, "not_scaled", "dropout.lesson_keep_prob_half", "not_scaled", "not scaled by 1 / keep_prob",
          unaffected=("dropout.lesson_keep_prob_one", "dropout.keep_prob_one")),
    # Right scaling, wrong keep probability: only the kept fraction over many rows shows it.
    Wrong(DROP, "inverted_mask", "dropout.other_keep_probs", "wrong_keep_rate", "of the hidden units were kept",
          unaffected=("dropout.lesson_keep_prob_half", "dropout.many_rows")),
    Wrong(DROP, "inverted_mask", "dropout.keep_prob_one", "keep_prob_inverted", "probability to KEEP a unit"),
    # The ReLU model's own mistakes show at keep_prob 1.0, where no unit is dropped.
    Wrong(DROP, "leaky_relu", "dropout.keep_prob_one", "leaky_relu", "leaky ReLU"),
    Wrong(DROP, "softmax_output", "dropout.lesson_keep_prob_one", "softmax_output", "no softmax"),
    Wrong(DROP, "softmax_output", "dropout.keep_prob_one", "softmax_output", "no softmax"),
    Wrong(DROP, "dropout_before_bias", "dropout.many_rows", "dropout_before_bias", "before the hidden bias",
          unaffected=("dropout.keep_prob_one",)),
    # Exercise 8: the quizzes; each wrong option gets its own explanation.
    Wrong(QUIZ, "wrong_options", "quiz.logistic_parameters", "biases_forgotten", "each class also has a bias"),
    Wrong(QUIZ, "wrong_options", "quiz.l2_derivative", "squared_norm", "w^T w is ||w||^2 itself"),
    Wrong(QUIZ, "wrong_options", "quiz.dropout_evaluation", "too_low", "0.5 is a common"),
    Wrong(QUIZ, "other_wrong_options", "quiz.logistic_parameters", "sizes_added", "every input is connected"),
    Wrong(QUIZ, "other_wrong_options", "quiz.l2_derivative", "integrated", "lowers the power"),
    Wrong(QUIZ, "other_wrong_options", "quiz.dropout_evaluation", "no_value", "placeholder"),
    # The file stops loading at the NameError; what it defined before that still counts.
    Wrong(QUIZ, "unquoted_letter", "quiz.l2_derivative", "file_not_loaded",
          "quiz.py could not be loaded: NameError", unaffected=("quiz.logistic_parameters",)),
    Wrong(QUIZ, "partly_answered", "quiz.l2_derivative", None, "not attempted", status="not_attempted",
          unaffected=("quiz.logistic_parameters",)),
    Wrong(QUIZ, "partly_answered", "quiz.dropout_evaluation", "not_an_option", "from 1 to 4",
          unaffected=("quiz.logistic_parameters",)),
    # A hedge names two options: not read as the first one.
    Wrong(QUIZ, "several_options", "quiz.dropout_evaluation", "several_options", "more than one option",
          unaffected=("quiz.logistic_parameters",)),
    Wrong(QUIZ, "several_options", "quiz.l2_derivative", "several_options", "more than one option"),
]


def test_every_row_has_its_file() -> None:
    missing = [row_id(r) for r in ROWS if not r.path.is_file()]
    assert not missing


def test_catalogue_is_big_enough() -> None:
    assert len({(r.exercise, r.file) for r in ROWS}) >= 15


@pytest.mark.slow
@pytest.mark.parametrize("row", ROWS, ids=row_id)
def test_wrong_submission(row: Wrong, grade_wrong: Callable[[Wrong], StudentResult]) -> None:  # noqa: F811
    check_row(grade_wrong(row), row)
