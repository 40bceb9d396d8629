"""A student who hedges: two options in one answer. Neither may be read as the student's choice."""
LOGISTIC_PARAMETERS = 7850
L2_DERIVATIVE = "c or b"
DROPOUT_EVALUATION = "4 or 3"
