"""Background tasks shared by the apps. With no broker configured they run eagerly in-process."""

from __future__ import annotations

from celery import shared_task
from django.db import connection


@shared_task(name="atlaschart.ping")
def ping() -> dict[str, str]:
    """Round trip through the broker and the database: what `atlaschart check` and CI use."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"status": "ok", "database": connection.vendor}
