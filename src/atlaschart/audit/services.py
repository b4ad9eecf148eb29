"""Writing the access log. Every access helper calls one of these; nothing else writes the log.

Every entry joins the hash chain as it is saved (``AccessLogEntry.save`` and the queryset's
``bulk_create`` seal it, see atlaschart.audit.chain).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.db import models
from django.http import HttpRequest

from atlaschart.audit.models import AccessLogEntry, Action
from atlaschart.lib.actor import Actor, as_actor

if TYPE_CHECKING:
    from atlaschart.patients.models import Patient


def _entry(
    actor: Actor,
    action: str,
    patient: Patient | None,
    obj: models.Model | None,
    detail: str,
) -> AccessLogEntry:
    clinic_id = actor.clinic_id or (patient.clinic_id if patient else None)
    return AccessLogEntry(
        clinic_id=clinic_id,
        user=actor.user if actor.username else None,
        username=actor.username,
        client_ip=actor.client_ip,
        patient=patient,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        detail=detail[:300],
    )


def log_access(
    who: Actor | HttpRequest,
    action: Action | str,
    *,
    patient: Patient | None,
    obj: models.Model | None = None,
    detail: str = "",
) -> None:
    """Record one access. ``obj`` is the record touched (defaults to the patient itself)."""
    _entry(as_actor(who), str(action), patient, obj if obj is not None else patient, detail).save()


def log_listing(who: Actor | HttpRequest, patients: Iterable[Patient], detail: str = "") -> None:
    """Record that these patients were shown in a list (one row each, one query)."""
    log_records_listed(who, patients, detail)


def log_records_listed(
    who: Actor | HttpRequest,
    records: Iterable[models.Model],
    detail: str = "",
    *,
    patient_of: Callable[[models.Model], Patient | None] | None = None,
) -> None:
    """Record that these records were shown in a list (one row each, naming the record; its
    ``patient``, when it has one yet, is the data subject). For lists whose rows are not
    patients, e.g. consultation requests, which hold a name and a phone number before any
    patient exists. ``patient_of`` names the subject of records whose patient is further away
    (the FHIR API's rows: a treatment's is its visit's)."""
    from atlaschart.patients.models import Patient

    def subject(r: models.Model) -> Patient | None:
        if patient_of is not None:
            return patient_of(r)
        return r if isinstance(r, Patient) else getattr(r, "patient", None)

    actor = as_actor(who)
    AccessLogEntry.objects.bulk_create(
        [_entry(actor, Action.LIST, subject(r), r, detail) for r in records]
    )


def log_denied(request: HttpRequest) -> bool:
    """Record a refused request (403, or the door's 404 for a record of another clinic).

    The row names the user, the address and the path asked for; never a patient or the clinic
    the record might belong to (the user may not learn it, and neither may the other clinic). A
    user without a clinic is logged without one. Anonymous requests are not logged: nobody can
    be named, and they would let anyone fill a log that no one may delete (the web server's own
    log has them).
    """
    actor = as_actor(request)
    if actor.user is None:
        return False
    detail = f"{request.method} {request.path}"
    AccessLogEntry(
        clinic_id=actor.clinic_id,
        user=actor.user,
        username=actor.username,
        client_ip=actor.client_ip,
        action=Action.DENIED,
        detail=detail[:300],
    ).save()
    return True
