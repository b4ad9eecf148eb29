"""WSGI entry point for gunicorn: ``gunicorn atlaschart.web.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atlaschart.web.settings")
application = get_wsgi_application()
