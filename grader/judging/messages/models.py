"""Sentences of the checks shared by every exercise and of exercises 3-5 (the MNIST network, save and
restore, named variables); see grader/judging/messages/__init__.py for how they are used."""

SENTENCES: dict[str, str] = {
    # grader/judging/checks/base.py
    "wrong_type": "The value your code produced is not an array of numbers.",
    "wrong_shape.student": "The logits do not have the shape [batch, n_classes] of these inputs.",
    "not_finite": "The logits contain NaN or infinity.",
    "not_finite.student": "The logits contain NaN or infinity.",

    # grader/judging/checks/hidden/save_restore.py
    "accuracy_mismatch":
        ("The checkpoint files train_and_save wrote, restored in a fresh process, do not give the model "
         "restore_and_evaluate was judged on: save the trained model with saver.save(sess, save_file) and restore "
         "that same file."),

    # grader/judging/checks/save_restore.py
    "no_checkpoint":
        ("tf.train.Saver().save(sess, save_file) writes model.ckpt.index, model.ckpt.data-*, model.ckpt.meta and "
         "checkpoint; the folder of save_file holds {files}. Save with the save_file you were given."),

    # grader/judging/oracles/common.py
    "malformed":
        ("The grader could not read what your code produced (the result had an unexpected form). Return plain values "
         "as the docstrings describe."),

    # grader/judging/oracles/mlp_mnist.py
    "wrong_shape.mlp_mnist": "The logits have shape {got}, but [batch, n_classes] = {want} was expected.",
    "wrong_values.mlp_mnist": "The logits are not relu(x @ W_hidden + b_hidden) @ W_out + b_out.",
    "not_finite.judge_training":
        "train_mnist returned {accuracy}: the training diverged or the accuracy is not computed.",
    "not_a_fraction": "train_mnist returned {accuracy:g}, but an accuracy is a fraction between 0 and 1.{extra}",
    "wrong_split":
        ("With the test labels shuffled, train_mnist still reported {shuffled:.4f} (chance is 0.1), so the accuracy "
         "is not measured on mnist.test. Evaluate on mnist.test.images and mnist.test.labels, not the training or "
         "validation set."),
    "other_optimizer":
        ("train_mnist trains with {names}; the exercise asks for tf.train.GradientDescentOptimizer(learning_rate), "
         "and its pass bar is set for that optimizer at the grader's settings ({settings}). Another optimizer at this "
         "learning rate gives an accuracy that changes from run to run (Adam: 0.67 to 0.84 over 10 seeds), so it is "
         "not graded."),
    "broken_accuracy_metric":
        ("Test accuracy {accuracy:.4f} is far BELOW chance (0.1 for 10 balanced classes): no network, trained or not, "
         "scores that low, so the accuracy is computed wrongly. Compare tf.argmax(logits, 1) with tf.argmax(y, 1) "
         "(axis 1: one prediction per image), then tf.reduce_mean(tf.cast(correct, tf.float32))."),
    "not_training":
        ("Test accuracy {accuracy:.4f} is about chance (0.1): the network did not learn. Is the optimizer op run for "
         "every batch (sess.run(optimizer, feed_dict=...)), and are the weights random rather than zeros?"),
    "low_accuracy":
        ("Test accuracy {accuracy:.4f} with {settings} is below {PASS_ACCURACY}; the reference network reaches about "
         "0.85. Use the learning_rate, training_epochs and batch_size arguments, run mnist.train.num_examples // "
         "batch_size batches per epoch, and feed the labels with the images of the same batch."),
    "accuracy_not_measured":
        ("train_mnist returned {accuracy:.4f} again after the grader shuffled the test labels. A real test accuracy "
         "drops to about 0.1 then, so this number is not measured on mnist.test: compute it with sess.run(accuracy, "
         "feed_dict={{x: mnist.test.images, y: mnist.test.labels}})."),
    "wrong_shapes.compare_parameters":
        ("For n_input={n_input}, n_hidden_layer={n_hidden_layer}, n_classes={n_classes} the shapes should be {want}, "
         "but they are {shapes}."),
    "wrong_shapes.student.compare_parameters":
        ("The variables' shapes do not follow the size arguments: weights are [n_input, n_hidden_layer] and "
         "[n_hidden_layer, n_classes], biases [n_hidden_layer] and [n_classes]."),
    "wrong_keys": "The {part} dict has the keys {keys}; the lesson keys both dicts 'hidden_layer' and 'out'.",
    "transposed_weights.compare_parameters":
        ("A weight matrix is transposed: weights are [inputs, outputs], so 'hidden_layer' is {hidden_layer} and 'out' "
         "is {out}."),
    "transposed_weights.student.compare_parameters": "A weight matrix is transposed: weights are [inputs, outputs].",
    "constant_weights":
        ("weights[{key!r}] starts with every entry equal (all zeros?). Then every hidden unit computes and learns the "
         "same thing; draw them with tf.random_normal."),
    "not_variable": "{part}[{key!r}] is not a tf.Variable, so training cannot change it.",
    "relu_missing.known_mistakes":
        "These are the logits of a network without a ReLU: pass the hidden layer through tf.nn.relu.",
    "relu_on_output": "These logits went through a ReLU too: the output layer must stay linear.",
    "sigmoid_hidden": "The hidden layer uses a sigmoid; the lesson's network uses tf.nn.relu.",
    "softmax_output":
        ("multilayer_perceptron returns probabilities (a softmax): return the logits; "
         "softmax_cross_entropy_with_logits applies the softmax itself."),
    "biases_ignored": "The biases are never added: use tf.add(tf.matmul(...), biases[...]) in both layers.",
    "relu_before_bias": "The ReLU comes before the hidden bias is added: add the bias first.",
    "other_optimizer.hint": "optimizer = tf.train.GradientDescentOptimizer(learning_rate=learning_rate).minimize(cost)",

    # grader/judging/oracles/named_variables.py
    "colon_in_name":
        ("make_variables passed a name ending in ':0' (name='weights_0:0'?). TensorFlow refuses ':' in a name: it "
         "adds ':0' itself, so name='weights_0' gives a variable whose .name is 'weights_0:0'."),
    "swapped_names.student":
        "The names are swapped: return (weights, bias) with the weights named 'weights_0' and the bias 'bias_0'.",
    "unnamed_variables.student":
        ("The variables are unnamed, so TensorFlow names them by creation order and a checkpoint cannot be restored "
         "when another variable is created first. Pass name='weights_0' and name='bias_0'."),
    "wrong_names":
        ("The variables are named {names_0!r} and {names_1!r}; the checkpoint this exercise restores from uses "
         "exactly 'weights_0' and 'bias_0' (no scope, no other spelling)."),
    "wrong_names.student":
        "The variables are not named exactly 'weights_0' and 'bias_0' (no scope, no other spelling).",
    "wrong_shapes":
        ("For n_inputs={n_inputs}, n_outputs={n_outputs} the weights should be {want_0} and the bias {want_1}, but "
         "they are {shapes_0} and {shapes_1}. Use the function's arguments."),
    "wrong_shapes.student":
        ("The shapes do not follow n_inputs and n_outputs: the weights are [n_inputs, n_outputs] and the bias "
         "[n_outputs]. Use the function's arguments."),
    "swapped_names":
        ("The names are swapped: the weights are called 'bias_0' and the bias 'weights_0' (or the function returns "
         "(bias, weights)). Return (weights, bias) with the weights named 'weights_0'."),
    "unnamed_variables":
        ("The variables are unnamed, so TensorFlow called them {names_0!r} and {names_1!r} by creation order. A "
         "checkpoint stores values under these names: when a new model creates its variables in another order, or "
         "another variable first, restore loads the bias into the weights ('Assign requires shapes of both tensors to "
         "match'). Pass name='weights_0' and name='bias_0' to tf.Variable."),
    "swapped_order": "make_variables returns (bias, weights); return (weights, bias) in that order.",
    "transposed_weights": "The weights are {shapes_0}, transposed: they are [n_inputs, n_outputs] = {want_0}.",
    "transposed_weights.student": "The weights are transposed: they are [n_inputs, n_outputs].",
    "restore_fails":
        ("The grader saved your variables, then rebuilt them in a new graph after creating another variable first. "
         "They were then called {names_0!r} and {names_1!r} (saved as {got_0!r} and {got_1!r}), and restoring failed: "
         "{err}. Named variables keep their names whatever is created before them."),
    "restore_fails.student":
        ("After other variables were created first, restoring your variables failed: name them (name='weights_0', "
         "name='bias_0') so their names do not depend on creation order."),
    "restore_wrong_values": "Restoring ran, but the variables do not hold the saved values afterwards.",
    "colon_in_name.hint": "name='weights_0' and name='bias_0', no ':0'.",

    # grader/judging/oracles/save_restore.py
    "accuracy_mismatch.judge_saved":
        ("train_and_save reported {reported:.4f}, but the model in the checkpoint scores {actual:.4f} on mnist.test. "
         "Return the test accuracy of the model you saved."),
    "no_checkpoint.checkpoint_accuracy":
        "No checkpoint with the model's [784, 10] weights and [10] bias was found at save_file ({why}). {advice}",
    "no_checkpoint.student": "No checkpoint with the model's weights and bias was found at save_file. {advice}",
    "saved_before_training":
        ("The checkpoint holds untrained weights (test accuracy {actual:.3f}) while train_and_save reported "
         "{reported:.3f}: save after the training loop, not before."),
    "broken_accuracy_metric.judge_saved":
        ("train_and_save reported {reported:.4f}, far below chance (0.1), but the saved model scores {actual:.4f}: "
         "the accuracy is computed wrongly. Compare tf.argmax(logits, 1) with tf.argmax(labels, 1) and average the "
         "matches."),
    "wrong_split.judge_saved":
        ("train_and_save reported {reported:.4f}, but the grader gave it other test digits, on which the saved model "
         "scores {actual:.4f}; {where} does not change with them. Return the accuracy on mnist.test.images and "
         "mnist.test.labels, not on {data_set}."),
    "hard_coded_path":
        ("train_and_save wrote its checkpoint ({shown}) somewhere other than save_file: is a path like './model.ckpt' "
         "written into the code? Save to the save_file argument: saver.save(sess, save_file)."),
    "restore_error": "restore_and_evaluate raised {kind}: {message}",
    "restore_error.student": "restore_and_evaluate raised {kind}.",
    "accuracy_mismatch.judge_restore":
        ("restore_and_evaluate returned {restored:.4f}, but the model in the checkpoint scores {actual:.4f} on the "
         "mnist.test it was given. {advice}"),
    "accuracy_not_measured.judge_restore":
        ("restore_and_evaluate returned the same accuracy when the grader handed it other test digits with other "
         "labels, on which the restored model scores very differently: the number is typed in or not measured on "
         "the mnist.test it was given. {advice}"),
    "accuracy_mismatch.student":
        "restore_and_evaluate's accuracy is not that of the restored model on the mnist.test it was given. {advice}",
    "not_training.judge_saved":
        ("The saved model scores only {actual:.3f} on mnist.test: it was barely trained. Run the optimizer on every "
         "batch with the learning_rate, training_epochs and batch_size arguments."),
    "hard_coded_path.judge_restore":
        ("restore_and_evaluate did not find the checkpoint that train_and_save wrote at save_file: is its path "
         "written into the code (e.g. './model.ckpt')? Restore from the save_file argument: saver.restore(sess, "
         "save_file)."),
    "no_checkpoint.judge_restore":
        ("restore_and_evaluate found no checkpoint at save_file to restore: train_and_save must write it there with "
         "saver.save(sess, save_file)."),
    "restore_before_variables":
        ("restore_and_evaluate created the Saver before the model's variables: build the model (the same variables as "
         "when saving) first, then tf.train.Saver(), then restore."),
    "initializer_after_restore":
        ("The restored model scores {restored:.3f}, but the saved one scores {actual:.3f}: the trained values were "
         "lost. {advice}"),
    "initializer_after_restore.student": "The restored model lost the trained values. {advice}",
    "saver_before_variables":
        ("`train_and_save` made tf.train.Saver() before any variable existed: a Saver saves the variables that exist "
         "when it is created, and there were none yet. Build the model first, then create the Saver."),
    "initializer_not_run":
        ("`train_and_save` used the model's variables before initializing them: in train_and_save, run "
         "sess.run(tf.global_variables_initializer()) before training (only restore_and_evaluate skips it, because "
         "saver.restore sets the values)."),
    "wrong_split.hint": "Evaluate with feed_dict={{features: mnist.test.images, labels: mnist.test.labels}}.",
    "hard_coded_path.hint": "saver.save(sess, save_file), with the save_file you were given.",
    "restore_error.hint": "Rebuild the same variables, then saver.restore(sess, save_file).",
    "hard_coded_path.hint.judge_restore": "saver.restore(sess, save_file), with the save_file you were given.",
    "no_checkpoint.hint": "saver.save(sess, save_file) in train_and_save.",
    "restore_before_variables.hint": "Variables first, then tf.train.Saver(), then saver.restore(sess, save_file).",
    "initializer_not_run.hint": "sess.run(tf.global_variables_initializer()) first thing in train_and_save's session.",
    "no_checkpoint.hint.checkpoint_accuracy":
        "Call saver.save(sess, save_file) with the save_file argument, inside the session, after training.",
    "initializer_after_restore.hint":
        ("Do not run tf.global_variables_initializer() after saver.restore(sess, save_file); restoring already sets "
         "every variable."),
    "accuracy_mismatch.hint.judge_restore": "Evaluate the restored model on mnist.test.images and mnist.test.labels.",
    "saver_before_variables.hint":
        ("Build the model first (build_model()), then saver = tf.train.Saver(): a Saver takes the variables that "
         "exist when it is made."),
}
