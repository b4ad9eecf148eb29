"""Safety screening for the web layer: store screens, record acknowledgements, gate signing.

Writes happen here only, one transaction per user action, each logged to the access log. Every
write takes the acting :class:`~atlaschart.lib.actor.Actor` first (a patient submitting an intake
is an actor without a user).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atlaschart.audit.models import Action
from atlaschart.audit.services import log_access
from atlaschart.lib.actor import Actor
from atlaschart.lib.refusal import Refused
from atlaschart.measure.safety import (
    MIN_REASON_CHARS,
    SCREENING_QUESTIONS,
    Finding,
    decide_acknowledgement,
    screen,
)
from atlaschart.measure.safety import gate as core_gate
from atlaschart.measure.safety.acknowledge import Action as CoreAction
from atlaschart.patients.models import Patient
from atlaschart.safety import display
from atlaschart.safety.access import screens_of_patient
from atlaschart.safety.models import AckAction, Acknowledgement, ScreenRecord, Source

NOT_SCREENED = core_gate.NOT_SCREENED

#: The patient's own items (what only a clinician's interview, with a reason, may change).
PATIENT_ITEMS = frozenset(q.id for q in SCREENING_QUESTIONS if q.asked_of != "clinician")


class ReassessmentRefused(Refused):
    """A clinician's interview changed the patient's answers without a reason (translated)."""


def max_age_days() -> int:
    return int(getattr(settings, "ATLASCHART_SAFETY_SCREEN_MAX_AGE_DAYS", 30))


class AcknowledgementRefused(Refused):
    """The acknowledgement may not be recorded; the message is translated."""


def latest_screen(patient: Patient) -> ScreenRecord | None:
    return screens_of_patient(patient).order_by("-created_at", "-id").first()


def finding_of(record: ScreenRecord, rule: str) -> Finding | None:
    for f in record.findings:
        if f["rule"] == rule:
            return Finding.from_record(f)
    return None


@transaction.atomic
def record_screen(
    actor: Actor,
    patient: Patient,
    answers: dict[str, Any],
    source: str,
    intake: Any = None,
    *,
    reassessed: dict[str, Any] | None = None,
    reassessment_reason: str = "",
) -> ScreenRecord:
    """Run the core screen on ``answers`` and store the result.

    Acknowledgements of the previous screen carry over to a finding with the same rule and level
    (the clinician has already seen exactly that); anything new or more severe needs a new one.
    Raises the core's ``ScreenInputError`` for malformed answers (nothing is written then)."""
    result = screen(answers)
    previous = latest_screen(patient)
    record = ScreenRecord(
        based_on=previous if source == Source.CLINICIAN else None,
        reassessed=reassessed or {},
        reassessment_reason=reassessment_reason.strip(),
        clinic_id=patient.clinic_id,
        patient=patient,
        intake=intake,
        created_by=actor.user,
        source=source,
        answers=answers,
        rules_version=result.rules_version,
        level=result.level,
        findings=[f.as_record() for f in result.findings],
        parameters=result.parameters,
    )
    record.save()
    if previous is not None:
        now_levels = {f.rule: f.level for f in result.findings}
        for ack in previous.acks.all():
            if now_levels.get(ack.rule) == ack.level:
                Acknowledgement(
                    screen=record,
                    rule=ack.rule,
                    level=ack.level,
                    action=ack.action,
                    reason=ack.reason,
                    by=ack.by,
                    at=ack.at,
                    carried_from=ack.carried_from or ack,
                ).save()
    log_access(
        actor,
        Action.CREATE,
        patient=patient,
        obj=record,
        detail=f"safety screen ({source}): {record.level}",
    )
    return record


def _reason_ok(reason: str) -> bool:
    return len("".join(reason.split())) >= MIN_REASON_CHARS


def rescreen_with_entries(
    actor: Actor, patient: Patient, entries: dict[str, Any], reason: str = ""
) -> ScreenRecord:
    """A new screen from the latest answers with the clinician's items and signs laid over them.

    ``entries`` maps item ids and sign keys to values; ``None`` removes a previous answer. A
    clinician's entry may add signs freely, but changing one of the patient's own answers (say
    "dizziness now" after an interview that places it weeks ago) is a re-assessment: it needs a
    ``reason`` of at least ``MIN_REASON_CHARS`` characters, is recorded with each answer before
    and after, and leaves the earlier screen (the patient's answers) as it was. Raises
    :class:`ReassessmentRefused` (nothing written) without one."""
    previous = latest_screen(patient)
    before = dict(previous.answers) if previous is not None else {}
    answers = dict(before)
    for key, value in entries.items():
        if value is None:
            answers.pop(key, None)
        else:
            answers[key] = value
    changed = {
        item: {"before": before.get(item), "after": answers.get(item)}
        for item in sorted(PATIENT_ITEMS)
        if item in before and answers.get(item) != before.get(item)
    }
    if changed and not _reason_ok(reason):
        raise ReassessmentRefused(
            _(
                "You changed the patient's own answers (%(items)s). Write the reason for the "
                "re-assessment, at least %(n)s characters (not counting spaces)."
            )
            % {
                "items": ", ".join(display.item_label(i) for i in changed),
                "n": MIN_REASON_CHARS,
            }
        )
    return record_screen(
        actor,
        patient,
        answers,
        Source.CLINICIAN,
        reassessed=changed,
        reassessment_reason=reason if changed else "",
    )


@transaction.atomic
def acknowledge(
    actor: Actor, record: ScreenRecord, rule: str, action: str, reason: str
) -> Acknowledgement:
    """Record the clinician's acknowledgement or override of one finding (policy of the core)."""
    finding = finding_of(record, rule)
    if finding is None:
        raise AcknowledgementRefused(_("This finding is not part of the screen."))
    core_action = _core_action(action)
    # An acknowledgement may later be followed by an override, never the same action twice.
    if record.acks.filter(rule=rule, action=action).exists():
        raise AcknowledgementRefused(_("This finding has already been acknowledged."))
    decision = decide_acknowledgement(finding, core_action, reason)
    if not decision.allowed:
        if finding.level == "E" and action == AckAction.OVERRIDE:
            raise AcknowledgementRefused(_("An emergency (E) finding can never be overridden."))
        if decision.needs_reason:
            raise AcknowledgementRefused(
                _("Write a reason of at least 10 characters (not counting spaces).")
            )
        raise AcknowledgementRefused(_("This finding cannot be overridden; acknowledge it."))
    ack = Acknowledgement(
        screen=record,
        rule=rule,
        level=finding.level,
        action=action,
        reason=reason.strip(),
        by=actor.user,
        at=timezone.now(),
    )
    try:
        with transaction.atomic():
            ack.save()
    except IntegrityError:
        # The same acknowledgement sent twice at once: the other request recorded it.
        raise AcknowledgementRefused(_("This finding has already been acknowledged.")) from None
    log_access(
        actor,
        Action.UPDATE,
        patient=record.patient,
        obj=record,
        detail=f"{action} {rule} ({finding.level})",
    )
    return ack


def _core_action(action: str) -> CoreAction:
    """``action`` as the core's action; anything but the two choices is refused."""
    if action == AckAction.ACKNOWLEDGE:
        return "acknowledge"
    if action == AckAction.OVERRIDE:
        return "override"
    raise AcknowledgementRefused(_("Choose acknowledge or override."))


def acks_by_rule(record: ScreenRecord) -> dict[str, Acknowledgement]:
    """The deciding acknowledgement per finding: an override wins over a plain one."""
    acks: dict[str, Acknowledgement] = {}
    # With the user who acknowledged: the chart and the safety page name them on every finding.
    for ack in record.acks.select_related("by"):
        if ack.rule not in acks or ack.action == AckAction.OVERRIDE:
            acks[ack.rule] = ack
    return acks


def resolutions(acks: dict[str, Acknowledgement]) -> dict[str, core_gate.Resolution]:
    """The deciding action per finding, as the core's gate reads it."""
    return {
        rule: "override" if ack.action == AckAction.OVERRIDE else "acknowledge"
        for rule, ack in acks.items()
    }


def _age_days(record: ScreenRecord) -> float:
    """How old the screen is, in days (86,400 s each)."""
    return float((timezone.now() - record.created_at).total_seconds()) / 86400


def gate_decisions(
    record: ScreenRecord | None, acks: dict[str, Acknowledgement] | None = None
) -> dict[core_gate.TechniqueClass, core_gate.GateDecision]:
    """What may be signed now, per technique class, for the latest screen ``record``."""
    if record is None:
        return core_gate.decide_all(None, {})
    acks = acks_by_rule(record) if acks is None else acks
    return core_gate.decide_all(
        display.stored_findings(record),
        resolutions(acks),
        screen_age_days=_age_days(record),
        max_age_days=max_age_days(),
    )


def gate(patient: Patient, technique: core_gate.TechniqueClass) -> core_gate.GateDecision:
    """The signing gate for one technique class (two queries: latest screen, its acks)."""
    record = latest_screen(patient)
    if record is None:
        return core_gate.decide(None, {}, technique)
    return core_gate.decide(
        display.stored_findings(record),
        resolutions(acks_by_rule(record)),
        technique,
        screen_age_days=_age_days(record),
        max_age_days=max_age_days(),
    )


def signing_block_reason(patient: Patient, technique: core_gate.TechniqueClass) -> str | None:
    """None when a treatment of ``technique`` may be signed now, else why not (translated)."""
    return display.gate_sentence(gate(patient, technique), max_age_days())


def reassessments(patient: Patient, record: ScreenRecord | None) -> list[ScreenRecord]:
    """The clinician re-assessments that shaped ``record``'s answers: every screen since the
    patient's latest intake that changed one of the patient's own answers, oldest first."""
    if record is None:
        return []
    since = (
        screens_of_patient(patient)
        .filter(source=Source.INTAKE, created_at__lte=record.created_at)
        .order_by("-created_at", "-id")
        .values_list("created_at", flat=True)
        .first()
    )
    found = screens_of_patient(patient).exclude(reassessment_reason="")
    found = found.filter(created_at__lte=record.created_at)
    if since is not None:
        found = found.filter(created_at__gte=since)
    return list(found.select_related("created_by").order_by("created_at", "id"))
