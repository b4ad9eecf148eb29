"""Safety screening for the web layer: store screens, record acknowledgements, gate signing.

Writes happen here only, one transaction per user action, each logged to the access log. Every
write takes the acting :class:`~atlaschart.lib.actor.Actor` first (a patient submitting an intake
is an actor without a user).
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atlaschart.audit.models import Action
from atlaschart.audit.services import log_access
from atlaschart.lib.actor import Actor
from atlaschart.measure.safety import Finding, decide_acknowledgement, screen
from atlaschart.patients.models import Patient
from atlaschart.safety.access import screens_of_patient
from atlaschart.safety.models import AckAction, Acknowledgement, ScreenRecord, Source

NOT_SCREENED = "not-screened"


class AcknowledgementRefused(ValueError):
    """The acknowledgement may not be recorded; the message is translated."""


def latest_screen(patient: Patient) -> ScreenRecord | None:
    return screens_of_patient(patient).order_by("-created_at", "-id").first()


def finding_of(record: ScreenRecord, rule: str) -> Finding | None:
    for f in record.findings:
        if f["rule"] == rule:
            return Finding(f["rule"], f["level"], f["reason"], f.get("overridable", True))
    return None


@transaction.atomic
def record_screen(
    actor: Actor,
    patient: Patient,
    answers: dict[str, Any],
    source: str,
    intake: Any = None,
) -> ScreenRecord:
    """Run the core screen on ``answers`` and store the result.

    Acknowledgements of the previous screen carry over to a finding with the same rule and level
    (the clinician has already seen exactly that); anything new or more severe needs a new one.
    Raises the core's ``ScreenInputError`` for malformed answers (nothing is written then)."""
    result = screen(answers)
    previous = latest_screen(patient)
    record = ScreenRecord(
        clinic_id=patient.clinic_id,
        patient=patient,
        intake=intake,
        created_by=actor.user,
        source=source,
        answers=answers,
        rules_version=result.rules_version,
        level=result.level,
        findings=[{**f.as_json(), "overridable": f.overridable} for f in result.findings],
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


def rescreen_with_entries(actor: Actor, patient: Patient, entries: dict[str, Any]) -> ScreenRecord:
    """A new screen from the latest answers with the clinician's items and signs laid over them.

    ``entries`` maps item ids and sign keys to values; ``None`` removes a previous answer."""
    previous = latest_screen(patient)
    answers = dict(previous.answers) if previous is not None else {}
    for key, value in entries.items():
        if value is None:
            answers.pop(key, None)
        else:
            answers[key] = value
    return record_screen(actor, patient, answers, Source.CLINICIAN)


@transaction.atomic
def acknowledge(
    actor: Actor, record: ScreenRecord, rule: str, action: str, reason: str
) -> Acknowledgement:
    """Record the clinician's acknowledgement or override of one finding (policy of the core)."""
    finding = finding_of(record, rule)
    if finding is None:
        raise AcknowledgementRefused(_("This finding is not part of the screen."))
    if action not in AckAction.values:
        raise AcknowledgementRefused(_("Choose acknowledge or override."))
    # An acknowledgement may later be followed by an override, never the same action twice.
    if record.acks.filter(rule=rule, action=action).exists():
        raise AcknowledgementRefused(_("This finding has already been acknowledged."))
    decision = decide_acknowledgement(finding, action, reason)  # type: ignore[arg-type]
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


def acks_by_rule(record: ScreenRecord) -> dict[str, Acknowledgement]:
    """The deciding acknowledgement per finding: an override wins over a plain one."""
    acks: dict[str, Acknowledgement] = {}
    for ack in record.acks.all():
        if ack.rule not in acks or ack.action == AckAction.OVERRIDE:
            acks[ack.rule] = ack
    return acks


def unresolved(record: ScreenRecord, acks: dict[str, Acknowledgement]) -> list[dict[str, Any]]:
    """The findings of ``record`` that still block (see :func:`current_gate`)."""
    blocking = []
    for f in record.findings:
        ack = acks.get(f["rule"])
        if f["level"] == "E":
            blocking.append(f)
        elif f["level"] in ("B-urgent", "B-routine", "H"):
            # Acknowledging says "seen, the block stands"; only an override lifts it.
            if ack is None or ack.action != AckAction.OVERRIDE:
                blocking.append(f)
        elif ack is None:  # W: a precaution, resolved once acknowledged
            blocking.append(f)
    return blocking


def current_gate(patient: Patient) -> tuple[str, list[str]]:
    """The safety gate for signing a visit: ``(level, blocking_reasons)``.

    ``level`` is the overall level of the patient's latest screen (``E``, ``B-urgent``,
    ``B-routine``, ``H``, ``W`` or ``none-found``; never "cleared"), or ``not-screened`` when the
    patient has no screen on record. Signing may go ahead only when ``blocking_reasons`` is empty.

    What counts as unresolved (fails closed):

    * no screen on record: one reason, "no safety screen on record";
    * an ``E`` finding: always, even when acknowledged (E can never be overridden);
    * a ``B-urgent`` or ``B-routine`` finding (including ``incomplete:<item>``) unless a clinician
      overrode it with a written reason; a plain acknowledgement leaves the block standing;
    * an ``H`` finding unless overridden with a written reason (H blocks thrust only, so a
      caller may let non-thrust treatment through when every reason is an H one; an
      acknowledgement of H records the clinician's reasoning but the thrust block stands);
    * a ``W`` finding until a clinician acknowledged it.

    Each reason reads ``"<rule> (<level>): <core's reason>"``; callers that need the levels use
    :func:`current_gate_findings`. Two queries."""
    level, findings = current_gate_findings(patient)
    if level == NOT_SCREENED:
        return level, ["no safety screen on record"]
    return level, [f"{f['rule']} ({f['level']}): {f['reason']}" for f in findings]


def current_gate_findings(patient: Patient) -> tuple[str, list[dict[str, Any]]]:
    """Like :func:`current_gate`, but the unresolved findings as ``{"rule", "level", "reason"}``
    dicts, so a caller can decide by level (e.g. only H left) without parsing text."""
    record = latest_screen(patient)
    if record is None:
        return NOT_SCREENED, []
    return record.level, unresolved(record, acks_by_rule(record))
