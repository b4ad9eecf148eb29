"""Writes for the intake: clinic settings, wording packs, links, autosave, submission, and the
follow-up (re-assessment) links and their submission.

Each function is one user action in one transaction and takes the acting
:class:`~atlaschart.lib.actor.Actor` first: a member of staff, or a patient using a link (an actor
without a user, with the client address). Each writes its own access-log rows: a link created,
each draft step once per link (an autosave of a step already logged adds no row), the
submission, and changes to the clinic's intake settings and wording.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from atlaschart.audit.models import Action
from atlaschart.audit.services import log_access
from atlaschart.intake import steps
from atlaschart.intake.access import (
    LinkUnusable,
    followups_of_patient,
    get_link_by_token,
    hash_token,
    intake_settings_of,
    intakes_of_patient,
    lock_link,
    responses_of_patient,
    wording_packs_of,
)
from atlaschart.intake.models import (
    FollowUp,
    Intake,
    IntakeLink,
    IntakeSettings,
    LinkKind,
    LocalRegions,
    QuestionnaireResponse,
    WordingPack,
)
from atlaschart.intake.names import instrument_name
from atlaschart.lib.actor import Actor
from atlaschart.lib.refusal import Refused
from atlaschart.measure.instruments import INSTRUMENTS, AnswerError, Instrument, score
from atlaschart.measure.instruments import WordingPack as CorePack
from atlaschart.patients.models import Patient

DEFAULT_EXPIRY_HOURS = 72
INTAKE_INSTRUMENTS = (
    "nprs",
    "psfs",
    "start-back",
    "ndi",
    "odi",
    "rmdq",
    "bournemouth-neck",
    "bournemouth-back",
    "hit-6",
    "dhi",
)
"""Questionnaires a clinic may put in its intake (the global rating of change asks about change
since the first visit, so it belongs to follow-ups, not to the intake)."""
FOLLOWUP_INSTRUMENTS = (*INTAKE_INSTRUMENTS, "groc")
"""Questionnaires a follow-up may ask, in the order the page shows them (GROC last)."""


FREE_INTAKE_INSTRUMENTS = tuple(
    i for i in INTAKE_INSTRUMENTS if not INSTRUMENTS[i].needs_wording_pack
)
"""What a new clinic's intake asks until an admin chooses: every questionnaire that is free to
show (its wording ships with AtlasChart), so the first link is never empty."""


class ConsentMissing(Refused):
    """An intake sent before its consent questions were answered; the message is translated."""


class FollowUpRefused(Refused):
    """A follow-up cannot be made as asked; the message is translated and says why."""


def settings_for(clinic_id: int) -> IntakeSettings:
    found = intake_settings_of(clinic_id)
    return found or IntakeSettings(
        clinic_id=clinic_id,
        instruments=list(FREE_INTAKE_INSTRUMENTS),
        expiry_hours=DEFAULT_EXPIRY_HOURS,
    )


def _clinic_of(actor: Actor) -> int:
    if actor.clinic_id is None:
        raise PermissionError("clinic settings need a member of a clinic")
    return actor.clinic_id


@transaction.atomic
def save_settings(actor: Actor, instruments: list[str], expiry_hours: int) -> IntakeSettings:
    """The acting admin's clinic's intake questionnaires and link expiry."""
    obj, _created = IntakeSettings.objects.update_or_create(
        clinic_id=_clinic_of(actor),
        defaults={"instruments": instruments, "expiry_hours": expiry_hours},
    )
    log_access(
        actor,
        Action.UPDATE,
        patient=None,
        obj=obj,
        detail=f"intake settings: {', '.join(instruments) or '-'}; {expiry_hours} h",
    )
    return obj


@transaction.atomic
def save_wording_pack(actor: Actor, pack: CorePack, data: dict[str, Any]) -> WordingPack:
    """Store a pack the core has validated; it replaces the clinic's pack for that language."""
    obj, _created = WordingPack.objects.update_or_create(
        clinic_id=_clinic_of(actor),
        instrument=pack.instrument,
        language=pack.language,
        defaults={
            "version": pack.version,
            "data": data,
            "uploaded_by": actor.user,
            "uploaded_at": timezone.now(),
        },
    )
    log_access(
        actor,
        Action.UPDATE,
        patient=None,
        obj=obj,
        detail=f"wording pack {pack.instrument} {pack.language} {pack.version}",
    )
    return obj


def packs_of_clinic(clinic_id: int) -> dict[str, dict[str, dict[str, Any]]]:
    """``{instrument: {language: pack data}}`` for the clinic (one query)."""
    packs: dict[str, dict[str, dict[str, Any]]] = {}
    for row in wording_packs_of(clinic_id).only("instrument", "language", "data"):
        packs.setdefault(row.instrument, {})[row.language] = row.data
    return packs


def wording_language(
    instrument: Instrument, packs: dict[str, dict[str, Any]], page_language: str
) -> str | None:
    """The language a questionnaire is shown in, or ``None`` when it cannot be shown (a licensed
    instrument without the clinic's wording). Prefers the page's language."""
    if not instrument.needs_wording_pack:
        return page_language if page_language in instrument.languages else instrument.languages[0]
    if page_language in packs:
        return page_language
    return next(iter(sorted(packs)), None)


def _new_link(actor: Actor, patient: Patient, detail: str, **fields: Any) -> tuple[IntakeLink, str]:
    """Store a one-time link with the clinic's expiry; the token is returned once, kept hashed."""
    token = secrets.token_urlsafe(32)
    conf = settings_for(patient.clinic_id)
    now = timezone.now()
    link = IntakeLink.objects.create(
        clinic_id=patient.clinic_id,
        patient=patient,
        token_hash=hash_token(token),
        created_by=actor.user,
        created_at=now,
        expires_at=now + timedelta(hours=conf.expiry_hours or DEFAULT_EXPIRY_HOURS),
        **fields,
    )
    log_access(actor, Action.CREATE, patient=patient, obj=link, detail=detail)
    return link, token


@transaction.atomic
def create_link(actor: Actor, patient: Patient) -> tuple[IntakeLink, str]:
    """A new one-time intake link; returns it and the token (shown once, stored only hashed)."""
    conf = settings_for(patient.clinic_id)
    return _new_link(
        actor,
        patient,
        "intake link created",
        language=patient.preferred_language or "ko",
        instruments=[i for i in conf.instruments if i in INSTRUMENTS],
    )


def instruments_of_new_link(patient: Patient) -> list[str]:
    """The questionnaires a new intake link for ``patient`` would carry (the clinic's choice)."""
    return [i for i in settings_for(patient.clinic_id).instruments if i in INSTRUMENTS]


class LinkNotRevocable(Refused):
    """The link was already submitted or revoked; the message is translated."""


@transaction.atomic
def revoke_link(actor: Actor, link: IntakeLink) -> IntakeLink:
    """Withdraw a link not yet submitted: its token opens nothing afterwards, its draft answers
    are dropped (they were never sent). A submitted link cannot be revoked: its answers are the
    record."""
    locked = lock_link(link)
    if locked.submitted_at is not None:
        raise LinkNotRevocable(_("This link was already used: its answers are on the chart."))
    if locked.revoked_at is not None:
        raise LinkNotRevocable(_("This link was already revoked."))
    locked.revoked_at = timezone.now()
    locked.revoked_by = actor.user
    locked.draft = {}
    locked.save(update_fields=["revoked_at", "revoked_by", "draft"])
    log_access(actor, Action.UPDATE, patient=locked.patient, obj=locked, detail="link revoked")
    return locked


def baseline_psfs(patient: Patient) -> QuestionnaireResponse | None:
    """The patient's first PSFS with at least one rated activity: the baseline every follow-up
    re-rates (one query)."""
    for response in (
        responses_of_patient(patient)
        .filter(instrument="psfs", scorable=True)
        .order_by("recorded_at", "id")[:20]
    ):
        if rated_activities(response.answers):
            return response
    return None


def rated_activities(answers: Any) -> list[str]:
    activities = answers.get("activities", []) if isinstance(answers, dict) else []
    return [
        str(a["name"])
        for a in activities
        if isinstance(a, dict) and a.get("name") and a.get("score") is not None
    ]


def instruments_done(patient: Patient) -> list[str]:
    """Instrument ids the patient has answered before, in follow-up order (one query)."""
    done = set(responses_of_patient(patient).values_list("instrument", flat=True).distinct())
    return [i for i in FOLLOWUP_INSTRUMENTS if i in done]


def regions_marked_before(patient: Patient) -> list[str]:
    """Every body-map region the patient gave an intensity at intake or at an earlier follow-up,
    in the order first marked: the follow-up re-asks each of them (two queries)."""
    marked: dict[str, None] = {}
    earlier = [
        *intakes_of_patient(patient)
        .order_by("submitted_at", "id")
        .values_list("answers", flat=True),
        *followups_of_patient(patient)
        .order_by("submitted_at", "id")
        .values_list("answers", flat=True),
    ]
    for answers in earlier:
        marked.update(dict.fromkeys(steps.marked_regions(answers)))
    return list(marked)


@transaction.atomic
def create_followup_link(
    actor: Actor, patient: Patient, instruments: list[str]
) -> tuple[IntakeLink, str]:
    """A one-time follow-up link asking ``instruments`` (ids of :data:`FOLLOWUP_INSTRUMENTS`).

    PSFS carries the baseline's rated activities over (their names fixed, only new ratings
    asked); refused with :class:`FollowUpRefused` when there is no baseline PSFS, when a licensed
    questionnaire has no wording file, or when nothing is chosen."""
    chosen = [i for i in FOLLOWUP_INSTRUMENTS if i in instruments]
    unknown = [i for i in instruments if i not in FOLLOWUP_INSTRUMENTS]
    if unknown or not chosen:
        raise FollowUpRefused(_("Choose at least one questionnaire from the list."))
    packs = packs_of_clinic(patient.clinic_id)
    missing = [
        instrument_name(i) for i in chosen if INSTRUMENTS[i].needs_wording_pack and not packs.get(i)
    ]
    if missing:
        raise FollowUpRefused(
            _(
                "Upload the wording file first for: %(names)s. A licensed questionnaire is "
                "never shown without it."
            )
            % {"names": ", ".join(missing)}
        )
    carried: dict[str, Any] = {}
    if "psfs" in chosen:
        baseline = baseline_psfs(patient)
        if baseline is None:
            raise FollowUpRefused(
                _(
                    "The PSFS can only be repeated after the patient has rated activities once "
                    "(at intake). Leave it out of this follow-up."
                )
            )
        carried = {
            "psfs_activities": rated_activities(baseline.answers),
            "psfs_baseline": baseline.pk,
        }
    carried["regions"] = regions_marked_before(patient)
    last_intake = intakes_of_patient(patient).only("language").first()
    return _new_link(
        actor,
        patient,
        "follow-up link created",
        # The language of the patient's intake, so that the scores compare (the core refuses to
        # compare two languages); the patient can still switch on the page.
        language=(last_intake.language if last_intake else "")
        or patient.preferred_language
        or "ko",
        instruments=chosen,
        kind=LinkKind.FOLLOWUP,
        carried=carried,
    )


def usable_link(actor: Actor, token: str) -> IntakeLink:
    """The link for ``token`` if it can still be used, else :class:`LinkUnusable`."""
    return get_link_by_token(actor, token)


@transaction.atomic
def save_step(
    actor: Actor,
    link: IntakeLink,
    step: str,
    cleaned: steps.Draft,
    language: str | None = None,
) -> None:
    """Replace one step's answers in the draft (autosave and per-step submit).

    The first save of each step of a link writes one access-log row; later saves of the same
    step (autosaves while typing, going back and forth) add none."""
    locked = lock_link(link)
    if not locked.is_usable():
        raise LinkUnusable
    if (
        locked.kind == LinkKind.INTAKE
        and step not in ("consent", "review")
        and not steps.consent_given(locked.draft)
    ):
        # Health answers are collected only after both consents (PIPA arts. 15 and 23).
        raise steps.FieldError(_("Please answer the consent questions first."))
    locked.draft = steps.merge_step(locked.draft, step, cleaned, steps.spec_of(locked))
    locked.draft_saved_at = timezone.now()
    fields = ["draft", "draft_saved_at"]
    if language in ("ko", "en"):
        locked.language = language
        fields.append("language")
    logged = list(locked.logged_steps) if isinstance(locked.logged_steps, list) else []
    first_save_of_step = step not in logged
    if first_save_of_step:
        locked.logged_steps = [*logged, step]
        fields.append("logged_steps")
    locked.save(update_fields=fields)
    if first_save_of_step:
        log_access(
            actor,
            Action.UPDATE,
            patient=locked.patient,
            obj=locked,
            detail=f"{locked.kind} draft step: {step}",
        )
    link.draft, link.draft_saved_at, link.language = (
        locked.draft,
        locked.draft_saved_at,
        locked.language,
    )


@transaction.atomic
def set_language(actor: Actor, link: IntakeLink, language: str) -> None:
    """The patient switched the page's language (not patient data: no access-log row)."""
    if language in ("ko", "en"):
        locked = lock_link(link)
        if locked.submitted_at is None:
            locked.language = language
            locked.save(update_fields=["language"])
            link.language = language


def _score_row(instrument: Instrument, answers: dict[str, Any]) -> dict[str, Any]:
    try:
        result = score(instrument, answers)
    except AnswerError as error:  # the steps validate values, so this is a safety net
        return {
            "scorable": False,
            "score": None,
            "percent": None,
            "band": "",
            "answered": 0,
            "reason": str(error)[:300],
            "algorithm": instrument.algorithm.label,
        }
    return {
        "scorable": result.scorable,
        "score": result.score,
        "percent": result.percent,
        "band": result.band or "",
        "answered": result.answered,
        "reason": (result.reason or "")[:300],
        "algorithm": result.algorithm.label,
    }


@transaction.atomic
def submit_intake(actor: Actor, link: IntakeLink) -> Intake:
    """Submit: store the answers read-only, score the questionnaires, run the safety screen, and
    close the link. All or nothing."""
    from atlaschart.safety.models import Source
    from atlaschart.safety.services import record_screen

    locked = lock_link(link)
    if not locked.is_usable() or locked.kind != LinkKind.INTAKE:
        raise LinkUnusable
    now = timezone.now()
    patient = locked.patient
    draft = dict(locked.draft)
    consented = steps.consent_given(draft)
    if not consented and not steps.consent_refused(draft):
        raise ConsentMissing(_("Please answer the consent questions first."))

    def answer(name: str) -> bool | None:
        return {"yes": True, "no": False}.get(draft.get(name, ""))

    intake = Intake(
        clinic_id=locked.clinic_id,
        patient=patient,
        link=locked,
        submitted_at=now,
        language=locked.language,
        # A refusal is recorded as such, without any health answer (none may be kept).
        answers=draft if consented else {k: draft[k] for k in steps.CONSENT_FIELDS if k in draft},
        consent_personal=answer("consent_personal"),
        consent_health=answer("consent_health"),
        consent_version=steps.CONSENT_VERSION,
    )
    intake.save()
    if consented:
        _record_responses(locked, now, intake=intake)
        screen_input = steps.screen_answers(draft)
        screen_input["age_years"] = float(patient.age_on(timezone.localdate()))
        record_screen(actor, patient, screen_input, Source.INTAKE, intake=intake)
    locked.submitted_at = now
    locked.draft = {}
    locked.save(update_fields=["submitted_at", "draft"])
    log_access(
        actor,
        Action.CREATE,
        patient=patient,
        obj=intake,
        detail="intake submitted by patient"
        if consented
        else "intake consent refused by patient (no health answers kept)",
    )
    return intake


def _record_responses(
    link: IntakeLink, now: Any, intake: Intake | None = None, followup: FollowUp | None = None
) -> None:
    """Score each questionnaire of the link that could be shown and store it (raw answers, score,
    version, language, algorithm)."""
    packs = packs_of_clinic(link.clinic_id)
    spec = steps.spec_of(link)
    for instrument_id in link.instruments:
        instrument = INSTRUMENTS[instrument_id]
        language = wording_language(instrument, packs.get(instrument_id, {}), link.language)
        if language is None:
            continue  # never shown, so nothing was answered
        answers = steps.questionnaire_answers(instrument, link.draft, spec)
        QuestionnaireResponse(
            clinic_id=link.clinic_id,
            patient=link.patient,
            intake=intake,
            followup=followup,
            recorded_at=now,
            instrument=instrument.id,
            version=instrument.version,
            language=language,
            answers=answers,
            **_score_row(instrument, answers),
        ).save()


@transaction.atomic
def submit_followup(actor: Actor, link: IntakeLink) -> FollowUp:
    """Submit a follow-up: store the answers read-only, score the questionnaires, close the link.
    All or nothing. No safety screen: a follow-up asks no red-flag questions, and an empty screen
    would replace the clinician's latest one."""
    locked = lock_link(link)
    if not locked.is_usable() or locked.kind != LinkKind.FOLLOWUP:
        raise LinkUnusable
    now = timezone.now()
    followup = FollowUp(
        clinic_id=locked.clinic_id,
        patient=locked.patient,
        link=locked,
        submitted_at=now,
        language=locked.language,
        answers=dict(locked.draft),
    )
    followup.save()
    _record_responses(locked, now, followup=followup)
    locked.submitted_at = now
    locked.draft = {}
    locked.save(update_fields=["submitted_at", "draft"])
    log_access(
        actor,
        Action.CREATE,
        patient=locked.patient,
        obj=followup,
        detail="follow-up submitted by patient",
    )
    return followup


def log_link_opened(actor: Actor, link: IntakeLink) -> None:
    """The first opening of a link, by the patient (no user)."""
    log_access(actor, Action.VIEW, patient=link.patient, obj=link, detail="intake link opened")


class LocalRegionsRefused(Refused):
    """A confirmation of chief-complaint regions the form cannot take (message translated)."""


@transaction.atomic
def confirm_local_regions(actor: Actor, patient: Patient, regions: list[str]) -> LocalRegions:
    """Record the clinician's judgement of which marked regions are the chief complaint (local).

    ``regions`` must be keys of :data:`steps.REGIONS` the patient has marked; an empty list says
    no region is local (all distant). A new row each time; the latest counts."""
    marked = regions_marked_before(patient)
    unknown = [r for r in regions if r not in marked]
    if unknown:
        raise LocalRegionsRefused(_("Choose only regions the patient marked on the body map."))
    confirmation = LocalRegions(
        clinic_id=patient.clinic_id,
        patient=patient,
        regions=[r for r in marked if r in regions],
        confirmed_by=actor.user,
        confirmed_at=timezone.now(),
    )
    confirmation.save()
    log_access(
        actor,
        Action.UPDATE,
        patient=patient,
        obj=confirmation,
        detail="chief-complaint regions confirmed",
    )
    return confirmation
