"""Oracles: per exercise, the lesson's fixed inputs, the right answers computed with numpy,
and the known-mistake families with what to tell the student.

Public and hidden checks import oracles (and checks.base), never each other. Hidden
inputs are generated here from the course's secret seed (`secret.course_seed`), so the
code ships with the student bundle while the inputs stay unknown.
"""
