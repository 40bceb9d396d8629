"""Verdicts: observations -> check results -> scores. Runs only in the grader process."""
