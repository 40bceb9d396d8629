"""grader: autograder and exercise harness for the deep-neural-networks lesson."""

__version__ = "0.1.0"
