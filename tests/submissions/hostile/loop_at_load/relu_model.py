"""Hostile submission: loop at load."""
while True:
    pass
