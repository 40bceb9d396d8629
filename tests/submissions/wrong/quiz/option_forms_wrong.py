"""Wrong options written the way students write them: must be read as those options, not rejected."""
LOGISTIC_PARAMETERS = 7850
L2_DERIVATIVE = "Option B: w^T w"
DROPOUT_EVALUATION = "(2) 0.5 is too low"
