"""Exercise 8: the lesson's quizzes, as answers you fill in.

Replace each None with your answer. Check them with `grader check quiz`.
"""

# Section 3. A logistic classifier takes 28x28 grey images and predicts one of
# 10 classes. How many parameters (weights and biases) does it learn?
# Answer with a number.
LOGISTIC_PARAMETERS = None  # TODO: your answer

# Section 18. L2 regularization adds beta * 1/2 ||w||^2 to the loss.
# What is the derivative of 1/2 ||w||^2 with respect to w?
#   a) 1/3 ||w||^3      b) w^T w      c) w
# Answer with a letter as a string, e.g. "a" (the option's text, such as "w", is
# accepted too). Give one option only.
L2_DERIVATIVE = None  # TODO: your answer

# Section 21. This code trains with keep_prob 0.5 and also measures the
# validation accuracy with keep_prob 0.5:
#
#     sess.run(optimizer, feed_dict={features: batch_x, labels: batch_y, keep_prob: 0.5})
#     validation_accuracy = sess.run(accuracy, feed_dict={
#         features: valid_x, labels: valid_y, keep_prob: 0.5})
#
# What's wrong with it?
#   1) Dropout doesn't work with batching.
#   2) The keep_prob value of 0.5 is too low.
#   3) There shouldn't be a value passed to keep_prob when testing for accuracy.
#   4) keep_prob should be set to 1.0 when evaluating validation accuracy.
# Answer with the option's number (its sentence, copied whole or cut short, is
# accepted too). Give one option only: "4 or 3" is not an answer.
DROPOUT_EVALUATION = None  # TODO: your answer
