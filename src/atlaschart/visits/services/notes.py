"""Visits and their notes: opening a visit from its appointment, saving and signing the note,
amending a signed note against the version its author saw."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from atlaschart.audit.models import Action
from atlaschart.audit.services import log_access
from atlaschart.lib.actor import Actor
from atlaschart.visits.access import (
    appointment_door,
    appointments_of_clinic,
    treatments_of_clinic,
    visit_door,
    visits_of_clinic,
)
from atlaschart.visits.models import (
    SOAP_FIELDS,
    Amendment,
    Appointment,
    AppointmentStatus,
    ClinicProfile,
    Visit,
)
from atlaschart.visits.services.common import (
    AmendmentConflict,
    StoredNote,
    VisitError,
    acting_user,
    locked_row,
    refuse_before_its_day,
)


@transaction.atomic
def open_visit(actor: Actor, appointment: Appointment) -> Visit:
    """The visit note of this appointment, created from the clinic's template on first opening."""
    clinician = acting_user(actor)
    stored = locked_row(appointment_door, actor, appointment.pk)
    existing = visits_of_clinic(actor).filter(appointment=stored).first()
    if existing is not None:
        return existing
    if stored.status in (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW):
        raise VisitError(_("This appointment was cancelled or missed; book a new one."))
    refuse_before_its_day(timezone.localtime(stored.starts_at).date())
    profile = ClinicProfile.objects.filter(clinic_id=stored.clinic_id).first()
    visit = Visit.objects.create(
        patient=stored.patient,
        appointment=stored,
        clinician=clinician,
        visit_date=timezone.localtime(stored.starts_at).date(),
        **{f: getattr(profile, f"template_{f}") if profile else "" for f in SOAP_FIELDS},
    )
    if stored.status == AppointmentStatus.BOOKED:
        stored.status = AppointmentStatus.ARRIVED
        stored.arrived_at = stored.arrived_at or timezone.now()
        stored.save(update_fields=["status", "arrived_at"])
    log_access(actor, Action.CREATE, patient=stored.patient, obj=visit, detail="visit note opened")
    return visit


def needs_followup(who: Actor | HttpRequest, visit: Visit) -> bool:
    """The adverse-event question is due after an earlier visit with a signed treatment."""
    if visit.followup_done:
        return False
    return (
        treatments_of_clinic(who)
        .filter(
            visit__patient_id=visit.patient_id,
            visit__visit_date__lte=visit.visit_date,
            signed_at__isnull=False,
        )
        .exclude(visit=visit)
        .exists()
    )


@transaction.atomic
def update_note(actor: Actor, visit: Visit, data: dict[str, str], version: int) -> Visit:
    """Save a draft. ``version`` is the number the editor started from: if someone saved in the
    meantime the save is refused instead of overwriting their text."""
    stored = locked_row(visit_door, actor, visit.pk)
    if stored.is_signed:
        raise VisitError(_("This note is signed. Changes are made as amendments."))
    refuse_before_its_day(stored.visit_date)
    if stored.version != version:
        raise VisitError(
            _(
                "Someone else saved this note while you were editing it. Your text is still in the "
                "form: reload the note, compare, and save again."
            )
        )
    changed = [f for f in SOAP_FIELDS if getattr(stored, f) != data[f]]
    for f in SOAP_FIELDS:
        setattr(stored, f, data[f])
    stored.version += 1
    stored.save(update_fields=[*SOAP_FIELDS, "version", "updated_at"])
    log_access(
        actor,
        Action.UPDATE,
        patient=stored.patient,
        obj=stored,
        detail="fields: " + ", ".join(changed),
    )
    return stored


@transaction.atomic
def sign_note(actor: Actor, visit: Visit) -> None:
    signer = acting_user(actor)
    stored = locked_row(visit_door, actor, visit.pk)
    if stored.is_signed:
        raise VisitError(_("This note is already signed."))
    refuse_before_its_day(stored.visit_date)
    if stored.treatments.filter(signed_at__isnull=True).exists():
        raise VisitError(
            _("Sign or remove the unsigned treatment records before signing the note.")
        )
    if needs_followup(actor, stored):
        raise VisitError(_("Ask the adverse-event follow-up question before signing the note."))
    stored.signed_at = timezone.now()
    stored.signed_by = signer
    stored.save(update_fields=["signed_at", "signed_by", "updated_at"])
    if stored.appointment_id:
        appointments_of_clinic(actor).filter(
            pk=stored.appointment_id, status=AppointmentStatus.ARRIVED
        ).update(status=AppointmentStatus.DONE)
    log_access(actor, Action.SIGN, patient=stored.patient, obj=stored)


def _latest_amendment(visit: Visit) -> Amendment | None:
    return visit.amendments.select_related("author").order_by("-at", "-id").first()


def current_text(visit: Visit) -> dict[str, str]:
    """The note as it reads now: the latest amendment's text, else the signed original."""
    source: Any = _latest_amendment(visit) or visit
    return {f: getattr(source, f) for f in SOAP_FIELDS}


def note_version(visit: Visit) -> int:
    """Which text of a signed note an author sees: 0 for the signed original, ``n`` after ``n``
    amendments. Amendments are never removed, so the number only grows."""
    return visit.amendments.count()


@transaction.atomic
def amend_note(
    actor: Actor, visit: Visit, data: dict[str, str], reason: str, version: int
) -> Amendment:
    """Amend a signed note. ``version`` is the :func:`note_version` the author saw; if someone
    amended the note since, nothing is saved and :class:`AmendmentConflict` carries the text now
    stored, so the author can compare and lose nothing."""
    author = acting_user(actor)
    # The lock makes "check the version, then add the amendment" one step: a second author
    # waits here until the first has committed, then sees the new version and is refused.
    stored = locked_row(visit_door, actor, visit.pk)
    if not stored.is_signed:
        raise VisitError(_("Only a signed note is amended; edit the draft instead."))
    if note_version(stored) != version:
        latest = _latest_amendment(stored)
        raise AmendmentConflict(
            _(
                "Someone amended this note while you were writing. Nothing was saved: your text "
                "is below, with the note as it reads now. Compare them and save again."
            ),
            StoredNote(
                text=current_text(stored),
                version=note_version(stored),
                last_author=str(latest.author) if latest else "",
                last_at=latest.at if latest else None,
            ),
        )
    before = current_text(stored)
    changed = [f for f in SOAP_FIELDS if before[f] != data[f]]
    if not changed:
        raise VisitError(_("The amendment changes nothing."))
    amendment = Amendment.objects.create(
        visit=stored,
        author=author,
        reason=reason,
        changed_fields=changed,
        **{f: data[f] for f in SOAP_FIELDS},
    )
    log_access(
        actor,
        Action.AMEND,
        patient=stored.patient,
        obj=stored,
        detail="fields: " + ", ".join(changed),
    )
    return amendment
