"""One module per command (`<name>_cmd.py`): NAME, HELP, add_arguments(parser), run(args) -> exit code."""
