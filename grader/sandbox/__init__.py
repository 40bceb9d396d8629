"""The worker side: everything that runs next to student code.

It imports only plain shared modules (grader.model, grader.errors, grader.catalog,
grader.data) and never anything that knows expected values; an import-linter
contract in pyproject.toml keeps it so."""
