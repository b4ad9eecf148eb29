"""The doors to intake records: scoped to the user's clinic (404 otherwise) and logged.

One :class:`~atlaschart.lib.access.Door` per kind: submitted intakes, follow-ups, intake links
and questionnaire responses. The patient-facing pages have no signed-in user: they reach their
link by its token only, through :func:`get_link_by_token`. The clinic's own settings (intake
questionnaires, licensed wording) are clinic data, not patient data; they are read here too so
that the services and views hold no query of their own.
"""

from __future__ import annotations

import hashlib

from django.db.models import QuerySet
from django.http import HttpRequest

from atlaschart.audit.models import Action
from atlaschart.audit.services import log_access
from atlaschart.intake.models import (
    FollowUp,
    Intake,
    IntakeLink,
    IntakeSettings,
    LocalRegions,
    QuestionnaireResponse,
    WordingPack,
)
from atlaschart.lib.access import Door
from atlaschart.lib.actor import Actor
from atlaschart.patients.models import Patient

MAX_TOKEN_LENGTH = 100


class LinkUnusable(Exception):
    """The link is unknown, expired or used. Views show one page for all three."""


intake_door = Door(
    Intake, clinic_field="clinic_id", patient_attr="patient", related=("patient",), label="intake"
)
followup_door = Door(
    FollowUp,
    clinic_field="clinic_id",
    patient_attr="patient",
    related=("patient",),
    label="follow-up",
)
link_door = Door(
    IntakeLink,
    clinic_field="clinic_id",
    patient_attr="patient",
    related=("patient",),
    label="intake link",
)
response_door = Door(
    QuestionnaireResponse,
    clinic_field="clinic_id",
    patient_attr="patient",
    related=("patient",),
    label="questionnaire response",
)
local_regions_door = Door(
    LocalRegions,
    clinic_field="clinic_id",
    patient_attr="patient",
    related=("patient",),
    label="chief-complaint regions",
)


# --- submitted intakes -------------------------------------------------------------------


def intakes_of_clinic(who: Actor | HttpRequest) -> QuerySet[Intake]:
    """Submitted intakes of the user's clinic (not logged: callers log what they show)."""
    return intake_door.of_clinic(who)


def get_intake_for_user(
    who: Actor | HttpRequest, intake_id: int, action: Action = Action.VIEW, detail: str = "intake"
) -> Intake:
    """A submitted intake of the user's clinic, logged as ``action``; else 404."""
    return intake_door.get(who, intake_id, action, detail)


# --- follow-ups --------------------------------------------------------------------------


def followups_of_clinic(who: Actor | HttpRequest) -> QuerySet[FollowUp]:
    return followup_door.of_clinic(who)


def get_followup_for_user(
    who: Actor | HttpRequest,
    followup_id: int,
    action: Action = Action.VIEW,
    detail: str = "follow-up",
) -> FollowUp:
    """A submitted follow-up of the user's clinic, logged as ``action``; else 404."""
    return followup_door.get(who, followup_id, action, detail)


# --- intake links ------------------------------------------------------------------------


def intake_links_of_clinic(who: Actor | HttpRequest) -> QuerySet[IntakeLink]:
    return link_door.of_clinic(who)


def get_intake_link_for_user(
    who: Actor | HttpRequest,
    link_id: int,
    action: Action = Action.VIEW,
    detail: str = "intake link",
) -> IntakeLink:
    """An intake link of the user's clinic (by id, for staff), logged as ``action``; else 404."""
    return link_door.get(who, link_id, action, detail)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def get_link_by_token(
    who: Actor, token: str, *, action: Action = Action.VIEW, detail: str = "", log: bool = False
) -> IntakeLink:
    """The patient's door: the link whose token this is, if it can still be used; else
    :class:`LinkUnusable` (unknown, expired and used links look the same).

    The token is the only key (the patient has no account), so there is no clinic to scope to.
    ``log=True`` writes the access row (without a user) for ``action``; the services log each
    draft step once and the submission, so most callers pass ``log=False``."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise LinkUnusable
    link = (
        IntakeLink.objects.select_related("patient", "clinic")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if link is None or not link.is_usable():
        raise LinkUnusable
    if log:
        log_access(who, action, patient=link.patient, obj=link, detail=detail)
    return link


def lock_link(link: IntakeLink) -> IntakeLink:
    """Re-read, locked for this transaction, a link already reached through one of its doors."""
    return IntakeLink.objects.select_for_update().select_related("patient").get(pk=link.pk)


# --- questionnaire responses -------------------------------------------------------------


def responses_of_clinic(who: Actor | HttpRequest) -> QuerySet[QuestionnaireResponse]:
    """Questionnaire responses of the user's clinic (not logged: callers log what they show)."""
    return response_door.of_clinic(who)


def responses_of_patient(patient: Patient) -> QuerySet[QuestionnaireResponse]:
    """The responses of a patient reached through the patient door or a link's token (so
    already scoped): for the follow-up rules, which a patient's own link also applies."""
    return QuestionnaireResponse.objects.filter(clinic_id=patient.clinic_id, patient=patient)


def intakes_of_patient(patient: Patient) -> QuerySet[Intake]:
    """Like :func:`responses_of_patient`, for the patient's submitted intakes."""
    return Intake.objects.filter(clinic_id=patient.clinic_id, patient=patient)


def followups_of_patient(patient: Patient) -> QuerySet[FollowUp]:
    """Like :func:`responses_of_patient`, for the patient's submitted follow-ups."""
    return FollowUp.objects.filter(clinic_id=patient.clinic_id, patient=patient)


def local_regions_of_clinic(who: Actor | HttpRequest) -> QuerySet[LocalRegions]:
    return local_regions_door.of_clinic(who)


def local_regions_of_patient(patient: Patient) -> list[str]:
    """The regions last confirmed as the chief complaint of a patient already reached through
    the patient door (empty when none was confirmed)."""
    latest = (
        LocalRegions.objects.filter(clinic_id=patient.clinic_id, patient=patient)
        .only("regions")
        .first()
    )
    return [str(r) for r in latest.regions] if latest and isinstance(latest.regions, list) else []


# --- the clinic's settings (clinic data, not patient data) ----------------------------------


def intake_settings_of(clinic_id: int) -> IntakeSettings | None:
    return IntakeSettings.objects.filter(clinic_id=clinic_id).first()


def wording_packs_of(clinic_id: int) -> QuerySet[WordingPack]:
    return WordingPack.objects.filter(clinic_id=clinic_id)
