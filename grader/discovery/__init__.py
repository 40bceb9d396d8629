"""Intake: submissions (folders, zips, notebooks, scripts) -> the files to run."""
