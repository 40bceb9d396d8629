"""The quiz answered the way students write options: number with its text, letter in brackets."""
LOGISTIC_PARAMETERS = "7 850"
L2_DERIVATIVE = "(C)"
DROPOUT_EVALUATION = "4) keep_prob should be 1.0 when evaluating"
