"""The door to photo consents (scoped to the acting user's clinic, logged)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest

from atlaschart.lib.access import Door
from atlaschart.lib.actor import Actor
from atlaschart.patients.models import Patient
from atlaschart.reports.models import PhotoConsent

photo_consent_door = Door(
    PhotoConsent,
    clinic_field="patient__clinic_id",
    patient_attr="patient",
    related=("patient",),
    label="photo consent",
)


def photo_consents_of_clinic(who: Actor | HttpRequest) -> QuerySet[PhotoConsent]:
    return photo_consent_door.of_clinic(who)


def photo_consent_in_force(who: Actor | HttpRequest, patient: Patient) -> PhotoConsent | None:
    """The patient's consent to photos in reports that is not withdrawn, if any."""
    return (
        photo_consents_of_clinic(who)
        .filter(patient=patient, withdrawn_on__isnull=True)
        .order_by("-given_on", "-id")
        .first()
    )
