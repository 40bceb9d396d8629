"""What the grader stores, apart from how it is shown.

    layout        where each file of OUT lives: student folders, the instructor folder, class files
    atomic        the one writer of every file (temp file + rename, always valid UTF-8)
    results       results.json: Gradescope's schema, our fields in extra_data
    student_copy  what of a result a student may be given (OUT/<id>/results.json)
    observations  what the probes saw, kept for `grader rejudge` (instructor only)
    classfiles    grades.csv and summary.json, built from results only

This package sits below `grader.reports` (pages are made from what is stored here) and never
imports it: the words a student reads in results.json `output` are handed in (`results.Words`).
"""
