# The original checker's flaw: this passed it.
output = [[5.11, 8.44], [0.0, 0.0], [24.01, 38.24]]
