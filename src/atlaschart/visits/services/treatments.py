"""Treatments of a visit: recording (with the injection consent check and the safety gate),
signing and removing a draft."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atlaschart.audit.models import Action
from atlaschart.audit.services import log_access
from atlaschart.lib.access import RecordNotFound
from atlaschart.lib.actor import Actor
from atlaschart.visits.access import (
    treatment_door,
    treatments_of_clinic,
    visit_door,
)
from atlaschart.visits.models import (
    ConsentKind,
    ConsentRecord,
    Treatment,
    TreatmentKind,
    Visit,
)
from atlaschart.visits.safety_gate import signing_block_reason
from atlaschart.visits.services.common import (
    VisitError,
    acting_user,
    locked_row,
    refuse_before_its_day,
)


@transaction.atomic
def add_treatment(actor: Actor, visit: Visit, data: dict[str, Any]) -> Treatment:
    stored = locked_row(visit_door, actor, visit.pk)
    if stored.is_signed:
        raise VisitError(_("This note is signed; treatments can no longer be added to it."))
    refuse_before_its_day(stored.visit_date)
    data = dict(data)
    given_at = data.pop("given_at", None)
    if data.get("kind") == TreatmentKind.INJECTION:
        _check_injection_consent(stored, data.get("consent"))
        if given_at is not None:
            data["administered_at"] = timezone.make_aware(
                datetime.combine(stored.visit_date, given_at)
            )
    else:
        data["consent"] = None
    treatment = Treatment.objects.create(visit=stored, **data)
    log_access(
        actor,
        Action.CREATE,
        patient=stored.patient,
        obj=treatment,
        detail=f"treatment {treatment.kind}",
    )
    return treatment


def _check_injection_consent(visit: Visit, consent: ConsentRecord | None) -> None:
    """An injection needs this patient's consent to injections, given by the visit's day and not
    withdrawn; checked again here, whatever the form offered."""
    if (
        consent is None
        or consent.patient_id != visit.patient_id
        or consent.kind != ConsentKind.INJECTION
        or consent.given_on > visit.visit_date
        or (consent.withdrawn_on is not None and consent.withdrawn_on <= visit.visit_date)
    ):
        raise VisitError(_("Record the patient's consent to the injection first, then choose it."))


def _locked_treatment(actor: Actor, treatment: Treatment) -> Treatment:
    stored = (
        treatments_of_clinic(actor)
        .select_for_update(of=("self",))
        .select_related("visit__patient")
        .filter(pk=treatment.pk)
        .first()
    )
    if stored is None:
        raise RecordNotFound(f"No such {treatment_door.label}")
    return stored


@transaction.atomic
def sign_treatment(actor: Actor, treatment: Treatment) -> None:
    signer = acting_user(actor)
    stored = _locked_treatment(actor, treatment)
    if stored.signed_at is not None:
        raise VisitError(_("This treatment is already signed."))
    reason = signing_block_reason(stored.visit.patient, stored.technique, stored.kind)
    if reason is not None:
        raise VisitError(_("Cannot sign: %(reason)s") % {"reason": reason})
    stored.signed_at = timezone.now()
    stored.signed_by = signer
    stored.save(update_fields=["signed_at", "signed_by"])
    log_access(actor, Action.SIGN, patient=stored.visit.patient, obj=stored)


@transaction.atomic
def delete_draft_treatment(actor: Actor, treatment: Treatment) -> None:
    stored = _locked_treatment(actor, treatment)
    if stored.signed_at is not None:
        raise VisitError(_("A signed treatment cannot be removed."))
    log_access(
        actor,
        Action.UPDATE,
        patient=stored.visit.patient,
        obj=stored,
        detail="draft treatment removed",
    )
    stored.delete()
