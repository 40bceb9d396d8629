"""Gradescope autograder: building the zip (build.py), grading inside it (run.py), shipped reference (reference.py)."""
