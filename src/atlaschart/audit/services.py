"""Writing the access log. Every access helper calls one of these; nothing else writes the log."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import models
from django.http import HttpRequest

from atlaschart.audit.models import AccessLogEntry, Action
from atlaschart.web.client import client_ip

if TYPE_CHECKING:
    from atlaschart.patients.models import Patient


def _entry(
    request: HttpRequest,
    action: str,
    patient: Patient | None,
    obj: models.Model | None,
    detail: str,
) -> AccessLogEntry:
    user = request.user
    clinic_id = getattr(user, "clinic_id", None) or (patient.clinic_id if patient else None)
    return AccessLogEntry(
        clinic_id=clinic_id,
        user=user if user.is_authenticated else None,
        username=user.get_username() if user.is_authenticated else "",
        client_ip=client_ip(request),
        patient=patient,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        detail=detail[:300],
    )


def log_access(
    request: HttpRequest,
    action: Action | str,
    *,
    patient: Patient | None,
    obj: models.Model | None = None,
    detail: str = "",
) -> None:
    """Record one access. ``obj`` is the record touched (defaults to the patient itself)."""
    _entry(request, str(action), patient, obj if obj is not None else patient, detail).save()


def log_listing(request: HttpRequest, patients: Iterable[Patient], detail: str = "") -> None:
    """Record that these patients were shown in a list (one row each, one query)."""
    AccessLogEntry.objects.bulk_create(
        [_entry(request, Action.LIST, p, p, detail) for p in patients]
    )
