"""The quiz answered by copying the options' own sentences out of the stub, one of them cut short."""
LOGISTIC_PARAMETERS = 7850
L2_DERIVATIVE = "c) w"
DROPOUT_EVALUATION = "keep_prob should be set to 1.0 when evaluating validation a"
