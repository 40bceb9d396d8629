"""Output: results.json, the student report and the class dashboard (Jinja2 templates)."""
