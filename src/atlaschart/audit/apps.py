from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _reinstall_guard(using: str = "default", **_kwargs: Any) -> None:
    """SQLite loses a table's triggers whenever a migration rebuilds it; put them back."""
    from django.db import connections

    from atlaschart.audit import guard

    guard.install(connections[using])


class AuditConfig(AppConfig):
    name = "atlaschart.audit"
    verbose_name = _("Access log")

    def ready(self) -> None:
        post_migrate.connect(_reinstall_guard, sender=self, dispatch_uid="audit_reinstall_guard")
