"""Sentences of exercises 1, 2 and 6-9 (the ReLU model, dropout, regularization, parameter counts and
the quizzes); see grader/judging/messages/__init__.py for how they are used."""

SENTENCES: dict[str, str] = {
    # grader/judging/oracles/relu_model.py
    "wrong_shape.relu_model": "The logits have shape {got}, but {want} was expected ([batch, n_classes]).",
    "wrong_values.relu_model": "The logits are not what a ReLU hidden layer followed by a linear output layer gives.",
    "hard_coded":
        ("These are the ReLU quiz's logits, but the inputs were different: compute the logits from features, weights "
         "and biases instead of returning fixed numbers."),
    "leaky_relu":
        ("The output matches a leaky ReLU (tf.nn.leaky_relu): negative hidden values were scaled down instead of set "
         "to 0. The lesson's ReLU is tf.nn.relu, max(0, x)."),
    "softmax_output.known_mistakes":
        ("The output matches softmax probabilities (every row sums to 1): relu_model returns the logits themselves, "
         "with no softmax after the output layer."),
    "relu_missing.known_mistakes_2": "The output matches a network with no ReLU: apply tf.nn.relu to the hidden layer.",
    "relu_on_output.known_mistakes":
        ("The output matches a network with a ReLU on the output layer too: logits must stay linear, apply ReLU to "
         "the hidden layer only."),
    "biases_ignored.known_mistakes":
        ("The output matches a network that never adds the biases: use tf.add(tf.matmul(...), biases[i]) in both "
         "layers."),
    "relu_before_bias.known_mistakes":
        "The output matches ReLU applied before the hidden bias is added: add the bias first, then apply tf.nn.relu.",
    "relu_on_input": "The output matches ReLU applied to the features instead of the hidden layer.",
    "transposed_weights.known_mistakes":
        ("The output matches a network with transposed hidden weights: weights are [inputs, outputs], so use "
         "tf.matmul(features, weights[0])."),
    "leaky_relu.hint": "hidden = tf.nn.relu(...): ReLU sets every negative value to exactly 0.",
    "softmax_output.hint":
        ("Return the output layer as it is (the logits); the softmax belongs in the loss, "
         "tf.nn.softmax_cross_entropy_with_logits, which applies it itself."),

    # grader/judging/oracles/parameter_count.py
    "wrong_type.as_count": "{what} should return a whole number, not {value!r:.60}.",
    "wrong_type.student": "{what} should return a whole number.",
    "wrong_count":
        "count_parameters({sizes}) returned {got}, which is not the number of weights and biases of {what}. {rule}",
    "wrong_count.student": "count_parameters does not count the weights and biases of every network. {rule}",
    "wrong_count.judge_scalars": "count_variables returned {got} for variables of shapes {shapes}: {rule}",
    "wrong_count.student.judge_scalars": "count_variables gives the wrong total for some shapes: {rule}",
    "biases_forgotten": "This is the number of weights only: every layer also has one bias per output unit.",
    "biases_per_input": "This counts one bias per input of each layer; a layer has one bias per OUTPUT unit.",
    "sizes_added": "This adds up the layer widths; a layer from N to K units has N * K weights and K biases.",
    "input_layer_biases":
        ("This also gives the input layer biases, one per input: the inputs are data, not units, so only the layers "
         "after them have biases (one per unit)."),
    "product_of_sizes":
        "This multiplies all the widths together; each layer is counted on its own, then the layers are added up.",
    "first_layer_only": "Only the first layer was counted: add every layer's weights and biases.",
    "last_layer_only": "Only the last layer was counted: loop over every pair of consecutive layers.",
    "counted_graph_variables": "This counts every trainable variable in the graph (tf.trainable_variables()); {graph}",
    "counted_all_graph_variables": "This counts every variable in the graph (tf.global_variables()); {graph}",
    "counted_variables": "This is the number of variables, not the number of scalars in them.",
    "dims_added":
        ("This adds up the dimensions of each shape; multiply them instead (a [784, 256] matrix holds 784 * 256 "
         "numbers)."),
    "first_dim_only": "Only the first dimension of each shape was used; multiply all of them.",

    # grader/judging/oracles/quiz.py
    "wrong_type.as_whole_number": "{name} should be a whole number, e.g. 1234; got {value}.",
    "not_an_option":
        "L2_DERIVATIVE should be one of the letters \"a\", \"b\" or \"c\" (or that option's text); got {value}.",
    "not_an_option.option_number":
        "DROPOUT_EVALUATION should be an option number from 1 to 4 (or that option's text); got {value}.",
    "wrong_type.bool": "{name} should be a number, not {value!r}.",
    "several_options":
        "{name} names more than one option ({listed}); a question has one right option: answer with {how}.",
    "wrong_type.letter": "L2_DERIVATIVE should be a letter in quotes, like \"a\"; got {value}.",
    "wrong_type.option_number": "DROPOUT_EVALUATION should be an option number from 1 to 4.",
    "biases_forgotten.quiz":
        "That counts the weights, one per (pixel, class) pair, but not the biases: each class also has a bias.",
    "sizes_added.quiz": "That adds the number of inputs and outputs; every input is connected to every output.",
    "inputs_only": "That is the number of inputs (pixels); count the weights and biases instead.",
    "outputs_only": "That is the number of classes; count the weights and biases instead.",
    "input_layer_biases.quiz":
        ("That also gives each of the 784 inputs a bias: the inputs are data, not units; only the 10 outputs have "
         "biases."),
    "biases_per_input.quiz": "The biases belong to the outputs (one per class), not to the 784 inputs.",
    "integrated":
        ("1/3 ||w||^3 goes the wrong way: that raises the power, as integrating ||w||^2 would. Differentiating lowers "
         "the power by one."),
    "squared_norm":
        ("w^T w is ||w||^2 itself, a single number. Differentiate 1/2 ||w||^2 one weight at a time: what does 1/2 "
         "w_i^2 give, and what happens to the 1/2?"),
    "batching":
        ("Dropout works with mini-batches: every batch simply draws a fresh mask. Look at the value fed to keep_prob "
         "when the accuracy is measured."),
    "too_low":
        ("0.5 is a common, sensible keep_prob for training. The question is what dropout should do while you measure "
         "accuracy."),
    "no_value":
        ("keep_prob is a placeholder: TensorFlow refuses to run the graph when it is not fed. Think about what "
         "dropout should do during evaluation."),

    # grader/judging/oracles/quiz_rerun.py
    "quiz_rerun_error":
        ("Your quiz-format script was run again with other values for {GIVEN}, and it raised {type}. Build the model "
         "from those names (not from copies of their numbers), so it works for any values of the same widths."),
    "all_zeros":
        ("Your quiz-format script, run again with other values for the quiz's data, left `output` as None: store the "
         "session's result in `output`."),

    # grader/judging/oracles/dropout.py
    "keep_prob_one_changes_output":
        ("With keep_prob 1.0 dropout must keep every unit unchanged, so the logits should equal the plain ReLU "
         "model's, relu(features @ W0 + b0) @ W1 + b1."),
    "wrong_type.dropout_model": "dropout_model should return a tensor of logits.",
    "keep_prob_inverted":
        ("With keep_prob fed 1.0 every hidden unit was dropped, but keep_prob is the probability to KEEP a unit. "
         "Passing keep_prob where TensorFlow 2 expects `rate` (the probability to DROP one) does this: use "
         "tf.nn.dropout(x, keep_prob) from tensorflow.compat.v1, or rate=1 - keep_prob."),
    "keep_prob_ignored":
        ("With keep_prob fed 1.0 units were still dropped (as if keep_prob were 0.5): pass the keep_prob argument to "
         "the dropout instead of a constant."),
    "wrong_shape.dropout": "The logits have shape {got}, but {want} was expected ([batch, n_classes]).",
    "not_a_dropout_mask": "With keep_prob {keep_prob:g}, row {bad} of the logits {rule}",
    "not_a_dropout_mask.student": "With keep_prob {keep_prob:g}, a row of the logits {rule}",
    "wrong_keep_rate":
        "With keep_prob {keep_prob:g}, {fraction:.0%} of the hidden units were kept (over {n} units), {rule}",
    "wrong_keep_rate.student": "With keep_prob {keep_prob:g}, {fraction:.0%} of the hidden units were kept, {rule}",
    "wrong_type.logits_for": "dropout_model's logits could not be read.",
    "never_drops":
        ("With keep_prob {keep_prob:g} every unit was kept (and scaled by 1 / keep_prob) in all {n_got} rows: dropout "
         "must drop each unit with probability 1 - keep_prob."),
    "no_dropout.dropout":
        ("The logits are those of the plain ReLU model: no unit was ever dropped. Apply tf.nn.dropout(hidden_layer, "
         "keep_prob) to the hidden layer."),
    "keep_prob_as_rate":
        ("The logits match units kept with probability 1 - keep_prob and scaled by 1 / (1 - keep_prob): keep_prob was "
         "passed where TensorFlow 2 expects `rate`. Use tf.nn.dropout(x, keep_prob) from tensorflow.compat.v1, or "
         "rate=1 - keep_prob."),
    "keep_prob_ignored.dropout":
        ("The logits match a keep probability of 0.5 whatever keep_prob was fed: pass the keep_prob argument (the "
         "placeholder) to the dropout, not a constant."),
    "not_scaled":
        ("Units were dropped but the kept ones were not scaled by 1 / keep_prob, so the expected output shrinks. "
         "tf.nn.dropout does the scaling for you; a hand-made mask must divide by keep_prob."),
    "dropout_on_output":
        ("The logits match dropout applied AFTER the output layer: dropout belongs on the hidden layer, before the "
         "output layer's matmul."),
    "dropout_on_inputs":
        "The logits match dropout applied to the input features: dropout belongs on the hidden layer's activations.",
    "dropout_before_bias":
        ("The logits match dropout applied before the hidden bias is added: compute relu(features @ W + b) first, "
         "then apply dropout to it."),

    # grader/judging/oracles/quiz_format.py
    "wrong_values":
        ("`output` is not what the ReLU network gives on the quiz's inputs: hidden = relu(features @ hidden weights + "
         "biases), logits = hidden @ out weights + biases."),
    "hidden_only":
        ("`output` has shape {shape}, which looks like the hidden layer: add the output layer (hidden @ out weights + "
         "out biases) and store its result."),
    "wrong_shape.quiz_output":
        ("`output` has shape {got}, but the quiz's answer is a {rows}x{columns} array: one row per feature row, one "
         "column per output class. Store the result of sess.run(logits) in `output`."),
    "not_finite.quiz_output": "`output` contains NaN or infinity.",
    "all_zeros.judge_relu_quiz":
        ("`output` is all zeros. Run the logits in a session and store the result in a variable named `output`: "
         "output = sess.run(logits)."),
    "relu_missing": "`output` contains negative numbers: are you applying ReLU to the hidden layer?",
    "no_dropout":
        ("`output` is the network without dropout ([[4.78, 8.0], [0.511, 0.844], [24.01, 38.24]]): add "
         "tf.nn.dropout(hidden_layer, keep_prob) after the ReLU and feed keep_prob 0.5."),
    "missing_function":
        ("No function named `{missing}` was found in your submission, and no quiz-format `output` variable either. "
         "Define the function as in the stub, or, in the quiz's original format, store the session's result in a "
         "variable named `output`."),

    # grader/judging/oracles/regularization.py
    "wrong_value": "The regularized loss is not loss + beta * (sum over the weights of 1/2 ||w||^2).",
    "wrong_type.compare_loss": "l2_regularized_loss should return a scalar tensor (or a number).",
    "not_scalar":
        ("l2_regularized_loss returned {size} numbers (shape {shape}); the regularized loss is one scalar: sum the "
         "penalty over every weight."),
    "not_scalar.student":
        ("l2_regularized_loss returned several numbers; the regularized loss is one scalar: sum the penalty over "
         "every weight."),
    "not_finite.compare_loss": "The loss is NaN or infinite.",
    "half_missing":
        ("The result matches loss + beta * sum(w ** 2) without the 1/2 (what Keras' l2(beta) regularizer computes). "
         "The lesson's penalty is beta * 1/2 ||w||^2: tf.nn.l2_loss(w) already includes the 1/2 (it is sum(w ** 2) / "
         "2); a hand-written sum of squares needs it too."),
    "beta_missing":
        "The result matches a penalty that is never multiplied by beta: beta sets how strong the regularization is.",
    "loss_missing": "The result is the penalty alone: add it to the original loss.",
    "beta_on_loss": "The result matches beta * (loss + penalty): beta scales the penalty only.",
    "penalty_subtracted": "The penalty was subtracted: regularization adds it to the loss.",
    "norm_not_squared":
        "The result matches the norm ||w|| without squaring it: the L2 penalty uses the sum of the squared weights.",
    "l1_norm": "The result matches the sum of absolute values (an L1 penalty): L2 regularization squares the weights.",
    "l1_norm_no_half":
        "The result matches the sum of absolute values (an L1 penalty): L2 regularization squares the weights.",
    "mean_instead_of_sum":
        ("The result matches the MEAN of the squared weights; the penalty is their sum (tf.reduce_sum, or simply "
         "tf.nn.l2_loss)."),
    "penalised_graph_variables":
        ("The result penalises every trainable variable in the graph (tf.trainable_variables()), not just `weights`: "
         "{given}"),
    "penalised_all_graph_variables":
        "The result penalises every variable in the graph (tf.global_variables()), not just `weights`: {given}",
    "mean_over_tensors":
        ("The result matches the MEAN of the tensors' penalties (tf.reduce_mean over the list, or a division by "
         "len(weights)); the penalty is their SUM: tf.add_n([tf.nn.l2_loss(w) for w in weights])."),
    "first_weight_only":
        "Only the first weight tensor was penalised: add up 1/2 ||w||^2 over every tensor in `weights`.",
    "last_weight_only":
        ("Only the last weight tensor was penalised (is the sum reset inside the loop?): add up 1/2 ||w||^2 over "
         "every tensor in `weights`."),
}
