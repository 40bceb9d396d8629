"""What the student bundle tells students and runs on push: its README and its GitHub Actions workflow.

Kept apart from release.py (which builds the bundle) so the words can be read and reviewed
on their own; tests/authoring/test_release.py checks they name the right commands.
"""

README = """# Deep neural networks: exercises

Install (in a virtual environment, any Python 3.10 to 3.13; Linux, macOS or Windows):

    pip install .

Each exercise is in two forms: `exercises/<name>.ipynb` (Jupyter) and
`exercises/<name>.py`. Work in whichever you like; the one you changed is the one
checked and graded (if you change both, both are, and the better result counts).

## Checking your work

In a notebook, run its last cell. It checks the cells you have run in this kernel
(saved or not) and shows the result below it:

    import grader
    grader.check("relu_model")

In a terminal, from this folder:

    grader list                  # the exercises, their points, and their public checks
    grader check relu_model      # the public checks on your relu_model work: exercises/relu_model.py
                                 # or the saved exercises/relu_model.ipynb, whichever you changed
    grader check                 # every exercise
    grader check --watch relu_model   # check again on every save
    pytest                       # every public check as a test (`-k relu_model`, `-m public`)

When a notebook is checked or graded, a line that starts with `%` or `!` is
skipped and the rest of its cell still runs (a `%%time` cell runs its code; a
`%%bash` or other non-Python `%%` cell is skipped whole). Only the cells your
functions need are run, so exploring and training cells cost nothing, and a
cell that fails costs only what needs it.

`grader check` also writes `reports/self-check.html`; it checks a notebook as saved
on disk, so save it first. An exercise you have not started is a failed check
("Not attempted yet."), so `pytest` stays red until every exercise is done.

The checks here are the public ones. When your work is graded, hidden checks
run on inputs you have not seen (`grader list` shows how many points they carry),
so make your code work for any input shape.

On Linux the checks run your code in a sandbox; on macOS and Windows (or where
the sandbox cannot start) in a plain worker process, with a one-line note.

## Handing in

Hand in your exercise files under their own names, `exercises/<name>.ipynb` or
`exercises/<name>.py` (whichever you worked in; both is fine), as your instructor
asks: with GitHub Classroom, commit and push this repository (what you pushed
is what is collected); otherwise upload those files, or the `exercises/` folder
as a zip. Do not rename them.

## GitHub Classroom

`.github/workflows/grader.yml` runs on every push: it installs this folder, runs
`pytest --junitxml=reports/checks.xml` (one test per public check, points as
properties) and uploads `reports/` (the self-check report) as the run's artifact.
The run is green only when every public check passes: an exercise not attempted
yet is a failed test, not a skipped one.

GitHub Classroom's autograding reads a command's exit status: in the assignment's
autograding settings, add one "Run command" test per exercise with setup command
`pip install .`, run command `pytest -k <name>` and that exercise's public points
as its points (`grader list`). It awards them when the command exits 0, that is
when every public check of that exercise passes. Hidden checks run only when your
instructor grades the work.
"""

WORKFLOW = """# Classroom autograding: the public checks on every push, and the self-check report as an artifact.
name: grader
on: [push, pull_request, workflow_dispatch]
jobs:
  check:
    runs-on: ubuntu-latest
    timeout-minutes: 30
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: pip install .
      - name: Public checks
        run: pytest --junitxml=reports/checks.xml
      - name: Self-check report
        if: always()
        run: grader check || true
      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: self-check-report
          path: reports/
"""
