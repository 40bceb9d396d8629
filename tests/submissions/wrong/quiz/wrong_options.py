# Each answer is one of the tempting wrong options.
LOGISTIC_PARAMETERS = 7840
L2_DERIVATIVE = "b"
DROPOUT_EVALUATION = 2
