"""Background jobs: work a person waits on (posture analysis, reports, imports) runs in a Celery
worker; the request stores the raw input, submits a job and shows its progress page.

See docs/background.md.
"""
