"""The Django project: settings, URLs, the base templates, the security middleware and the
Celery app.

The Celery app is imported here, as Celery's Django guide does, so that it is the current app
whenever Django is loaded (web process, worker, CLI): the apps declare their tasks with
``shared_task`` and get its configuration (eager without a broker, the broker otherwise) without
importing the project.
"""

from atlaschart.web.celery import app as celery_app

__all__ = ["celery_app"]
