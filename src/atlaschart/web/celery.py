"""The Celery app. With no broker configured, tasks run eagerly inside the web process."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atlaschart.web.settings")
app = Celery("atlaschart")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
