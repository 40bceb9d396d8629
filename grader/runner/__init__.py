"""The trusted side of running: asks the zygote for workers, enforces limits, collects plain data."""
