"""Hidden checks: inputs the student never sees. Not shipped in the student bundle."""
