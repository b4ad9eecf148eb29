"""The patient report: what goes into it (gathered through the doors) and its making, logged as an
export.

Everything shown is the record's own numbers and the cores' verdicts: questionnaire change from
``measure.instruments`` (MCID/MDC, through ``intake.outcomes.change_rows``), posture change from
``measure.posture`` against the clinic's MDC95 (``posture.mdc.clinic_mdc``). The words say what
changed and how sure the measurement is, never what caused it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from atlaschart.audit.models import Action
from atlaschart.intake.access import (
    followups_of_clinic,
    intakes_of_clinic,
    local_regions_of_clinic,
    responses_of_clinic,
)
from atlaschart.intake.outcomes import change_rows
from atlaschart.intake.steps import REGIONS
from atlaschart.lib.actor import Actor
from atlaschart.lib.policy import Kind, Permission
from atlaschart.measure.instruments.regions import (
    REGION_CHANGE_RULE,
    REGION_CHANGE_SOURCES,
    RegionSummary,
    compare_regions,
    readings_from_answers,
)
from atlaschart.measure.posture import compare_results
from atlaschart.patients.access import get_patient_for_user
from atlaschart.patients.models import Patient
from atlaschart.posture.access import sessions_of_clinic, shots_of_clinic
from atlaschart.posture.adapt import combined_result
from atlaschart.posture.display import METRIC_LABELS, UNIT_NAMES, fmt
from atlaschart.posture.mdc import clinic_mdc
from atlaschart.posture.models import LandmarkRevision, PostureShot, View
from atlaschart.reports.access import photo_consent_in_force, photo_consents_of_clinic
from atlaschart.reports.models import PhotoConsent
from atlaschart.visits.access import care_plans_of_clinic
from atlaschart.visits.models import CarePlanGoal

if TYPE_CHECKING:
    from atlaschart.jobs.models import Job

LANGUAGES = ("ko", "en")

#: What a report needs the actor to be allowed: reading each kind it shows, and exporting the
#: photos' kind (the policy grants export of posture records to clinicians and clinic admins).
REPORT_NEEDS = (
    (Kind.POSTURE, Permission.EXPORT),
    (Kind.INTAKE_ANSWERS, Permission.READ),
    (Kind.CARE_PLAN, Permission.READ),
)

# The lines drawn over a photo: pairs of landmarks (image pixels), per view.
PHOTO_LINES: dict[str, tuple[tuple[str, str], ...]] = {
    View.ANTERIOR: (
        ("left_ear", "right_ear"),
        ("left_shoulder", "right_shoulder"),
        ("left_hip", "right_hip"),
    ),
    View.POSTERIOR: (
        ("left_ear", "right_ear"),
        ("left_shoulder", "right_shoulder"),
        ("left_hip", "right_hip"),
    ),
    View.LEFT: (("left_ear", "left_shoulder"), ("left_shoulder", "left_hip")),
    View.RIGHT: (("right_ear", "right_shoulder"), ("right_shoulder", "right_hip")),
}


@dataclass(frozen=True)
class Photo:
    """One posture photo for the report: the image bytes, its size and the lines to draw."""

    taken_on: date
    image: bytes
    width: int
    height: int
    lines: tuple[tuple[float, float, float, float], ...]


@dataclass(frozen=True)
class PostureRow:
    label: str
    unit_name: str
    before: str
    after: str
    delta: str
    mdc: str
    verdict: str  # "beyond_error" | "within_error" | "unknown"
    before_value: float | None
    after_value: float | None


@dataclass(frozen=True)
class RegionRow:
    """One body-map region's first and latest NPRS rating (0-10 points) and the core's verdict."""

    name: str
    local: bool
    baseline: int | None
    latest: int | None
    change_points: int | None  # positive = less pain
    category: str
    words: str


@dataclass(frozen=True)
class Regions:
    rows: list[RegionRow]
    local_sentence: str
    distant_sentence: str
    extra_sentence: str
    mcid_points: float | None
    mdc_points: float | None
    source: str


@dataclass(frozen=True)
class ReportData:
    language: str
    clinic_name: str
    patient_name: str
    chart_number: str
    made_on: date
    complaints: str
    pain_regions: list[tuple[str, int]]
    questionnaires: list[dict[str, Any]]
    posture_dates: tuple[date, date] | None
    posture: list[PostureRow]
    photo_consent: bool
    photos: list[tuple[Photo, Photo]] = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)
    regions: Regions | None = None
    #: Every scorable score of each questionnaire, oldest first: ``{id: [(date, score)]}``.
    series: dict[str, list[tuple[date, float]]] = field(default_factory=dict)


class ReportError(Exception):
    """The report cannot be made as asked (message in the user's language)."""


def report_language(patient: Patient, requested: str | None) -> str:
    if requested:
        if requested not in LANGUAGES:
            raise ReportError(_("The report language must be ko or en."))
        return requested
    return patient.preferred_language if patient.preferred_language in LANGUAGES else "ko"


def _complaints(actor: Actor, patient: Patient) -> tuple[str, list[tuple[str, int]]]:
    intake = intakes_of_clinic(actor).filter(patient=patient).order_by("-submitted_at").first()
    if intake is None or not intake.consented:
        return "", []
    answers = intake.answers if isinstance(intake.answers, dict) else {}
    regions = []
    for key, label in REGIONS:
        value = str(answers.get(f"pain_{key}", "") or "")
        if value.isdigit() and int(value) > 0:
            regions.append((str(label), int(value)))
    return str(answers.get("complaints", "") or "").strip(), regions


def _photo(shot: PostureShot) -> Photo | None:
    revision = shot.revisions.first()  # newest first
    points = {
        p["name"]: (float(p["x"]), float(p["y"]))
        for p in (revision.landmarks if revision else [])
        if isinstance(p, dict) and {"name", "x", "y"} <= p.keys()
    }
    lines = tuple(
        (*points[a], *points[b])
        for a, b in PHOTO_LINES.get(shot.view, ())
        if a in points and b in points
    )
    try:
        with shot.image.open("rb") as handle:
            image = handle.read()
    except OSError:
        return None
    return Photo(shot.session.taken_on, image, shot.width, shot.height, lines)


REGION_KEYS = tuple(key for key, _label in REGIONS)


def _regions(actor: Actor, patient: Patient) -> Regions | None:
    """Per-region pain change (``measure.instruments.regions``): every body map the patient
    sent (intakes with consent, follow-ups), oldest first; local = the regions the clinician
    confirmed as the chief complaint. ``None`` until a region has a baseline and a later
    rating."""
    from atlaschart.progress.services import category_words, extra_sentence, summary_sentence

    forms: list[tuple[Any, int, Any]] = [
        (intake.submitted_at, 0, intake.answers)
        for intake in intakes_of_clinic(actor)
        .filter(patient=patient)
        .only("submitted_at", "answers", "consent_personal", "consent_health")
        if intake.consented
    ]
    forms += [
        (followup.submitted_at, 1, followup.answers)
        for followup in followups_of_clinic(actor)
        .filter(patient=patient)
        .only("submitted_at", "answers")
    ]
    forms.sort(key=lambda form: (form[0], form[1]))
    readings = [
        found
        for found in (
            readings_from_answers(answers if isinstance(answers, dict) else {}, REGION_KEYS)
            for _when, _kind, answers in forms
        )
        if found
    ]
    confirmed = local_regions_of_clinic(actor).filter(patient=patient).only("regions").first()
    local = (
        [str(r) for r in confirmed.regions]
        if confirmed is not None and isinstance(confirmed.regions, list)
        else []
    )
    summary: RegionSummary = compare_regions(readings, local=local)
    if summary.compared() == 0:
        return None
    labels = dict(REGIONS)
    rows = [
        RegionRow(
            name=str(labels.get(change.region, change.region)),
            local=change.local,
            baseline=change.baseline.intensity_0_10 if change.baseline else None,
            latest=change.latest.intensity_0_10 if change.latest else None,
            change_points=change.change_points,
            category=change.category,
            words=category_words(change)[0],
        )
        for change in summary.changes
    ]
    return Regions(
        rows=rows,
        local_sentence=summary_sentence(summary, local=True) if local else "",
        distant_sentence=summary_sentence(summary, local=False if local else None),
        extra_sentence=extra_sentence(summary),
        mcid_points=REGION_CHANGE_RULE.mcid_points,
        mdc_points=REGION_CHANGE_RULE.mdc_points,
        # Citations only: the rule's own source text is English prose.
        source=REGION_CHANGE_SOURCES,
    )


def _posture(
    actor: Actor, patient: Patient, with_photos: bool
) -> tuple[tuple[date, date] | None, list[PostureRow], list[tuple[Photo, Photo]]]:
    sessions = list(sessions_of_clinic(actor).filter(patient=patient).order_by("taken_on", "id"))
    if len(sessions) < 2:
        return None, [], []
    first, last = sessions[0], sessions[-1]
    shots = {
        s.pk: list(s.shots.filter(view=View.ANTERIOR).select_related("session").order_by("id"))
        for s in (first, last)
    }
    before, after = combined_result(shots[first.pk]), combined_result(shots[last.pk])
    rows: list[PostureRow] = []
    if before is not None and after is not None:
        table = clinic_mdc(actor)
        for change in compare_results(before, after, mdc95={k: e.value for k, e in table.items()}):
            if change.before is None and change.after is None:
                continue  # not measurable on either photo (landmarks not placed): nothing to say
            rows.append(
                PostureRow(
                    # Some metrics exist in two units (degrees and % of width): name the unit.
                    label=f"{METRIC_LABELS.get(change.name, change.name)} "
                    f"({UNIT_NAMES.get(change.unit, change.unit)})",
                    unit_name=str(UNIT_NAMES.get(change.unit, change.unit)),
                    before=fmt(change.before, change.unit),
                    after=fmt(change.after, change.unit),
                    delta=fmt(change.delta, change.unit),
                    mdc=fmt(change.mdc95, change.unit, signed=False)
                    if change.mdc95 is not None
                    else "—",
                    verdict=str(change.verdict),
                    before_value=change.before,
                    after_value=change.after,
                )
            )
    photos: list[tuple[Photo, Photo]] = []
    if with_photos and shots[first.pk] and shots[last.pk]:
        pair = _photo(shots[first.pk][0]), _photo(shots[last.pk][0])
        if pair[0] is not None and pair[1] is not None:
            photos.append((pair[0], pair[1]))
    return (first.taken_on, last.taken_on), rows, photos


def _next_steps(actor: Actor, patient: Patient, today: date) -> list[str]:
    plan = care_plans_of_clinic(actor).filter(patient=patient).order_by("-start_date").first()
    if plan is None:
        return []
    steps = [
        _("Visits planned: %(n)s, about every %(days)s days (from %(start)s).")
        % {"n": plan.planned_visits, "days": plan.interval_days, "start": plan.start_date}
    ]
    upcoming = sorted(str(d) for d in plan.reexam_dates if str(d) >= today.isoformat())
    if upcoming:
        steps.append(_("Next re-examination: %(date)s.") % {"date": upcoming[0]})
    for goal in plan.goals.all():
        target = goal.target_display
        steps.append(
            _("Goal: %(goal)s (%(target)s).") % {"goal": goal.description, "target": target}
            if target
            else _("Goal: %(goal)s.") % {"goal": goal.description}
        )
    steps.extend(line for line in plan.notes.splitlines() if line.strip())
    return steps


def gather(actor: Actor, patient: Patient, language: str) -> ReportData:
    """What the report shows, in ``language``, read through the doors as ``actor``."""
    today = timezone.localdate()
    with translation.override(language):
        consent = photo_consent_in_force(actor, patient) is not None
        complaints, regions = _complaints(actor, patient)
        history = list(
            responses_of_clinic(actor).filter(patient=patient).order_by("recorded_at", "id")
        )
        dates, posture, photos = _posture(actor, patient, with_photos=consent)
        return ReportData(
            language=language,
            clinic_name=patient.clinic.name,
            patient_name=patient.name if language == "ko" else (patient.name_latin or patient.name),
            chart_number=patient.chart_number,
            made_on=today,
            complaints=complaints,
            pain_regions=regions,
            questionnaires=[r for r in change_rows(history) if r.get("kind") == "change"],
            posture_dates=dates,
            posture=posture,
            photo_consent=consent,
            photos=photos,
            next_steps=_next_steps(actor, patient, today),
            series=_series(history),
            regions=_regions(actor, patient),
        )


def _series(history: list[Any]) -> dict[str, list[tuple[date, float]]]:
    series: dict[str, list[tuple[date, float]]] = {}
    for response in history:
        if response.scorable and response.score is not None:
            day = timezone.localdate(response.recorded_at)
            series.setdefault(response.instrument, []).append((day, float(response.score)))
    return series


def make_patient_report(actor: Actor, patient_id: int, language: str | None = None) -> bytes:
    """The patient's report as PDF bytes, logged as an export of the patient's record.

    The caller has authorised the actor for ``REPORT_NEEDS`` (the view's ``permission_required``;
    the CLI acts as a clinic admin), as for every service here; a patient of another clinic is a
    404 (``RecordNotFound``), as everywhere.
    """
    from atlaschart.reports.pdf import render_report

    with transaction.atomic():
        patient = get_patient_for_user(actor, patient_id, action=Action.EXPORT, detail="report")
        lang = report_language(patient, language)
        data = gather(actor, patient, lang)
        with translation.override(lang):
            return render_report(data)


#: The job that makes a patient's report in the background (reports/jobs.py).
REPORT_KIND = "reports.patient_report"


def report_inputs_sha256(actor: Actor, patient: Patient, language: str) -> str:
    """What the report made today in ``language`` depends on, as one SHA-256: the patient's
    record rows it reads (their ids and the fields that change), the clinic's MDC table and the
    date. The same report asked for again, with nothing changed, gets the same job and file; a
    new score, photo, landmark revision, consent or care-plan change makes a new one."""
    from atlaschart.jobs.services import input_sha256

    def rows(queryset: Any, *fields: str) -> list[Any]:
        return [list(map(str, row)) for row in queryset.order_by("pk").values_list(*fields)]

    sessions = sessions_of_clinic(actor).filter(patient=patient)
    shots = shots_of_clinic(actor).filter(session__patient=patient)
    plans = care_plans_of_clinic(actor).filter(patient=patient)
    record = {
        "patient": [
            patient.pk,
            patient.name,
            patient.name_latin,
            patient.chart_number,
            patient.preferred_language,
            patient.clinic.name,
        ],
        "consent": rows(
            photo_consents_of_clinic(actor).filter(patient=patient), "pk", "withdrawn_on"
        ),
        "intakes": rows(intakes_of_clinic(actor).filter(patient=patient), "pk", "submitted_at"),
        "followups": rows(followups_of_clinic(actor).filter(patient=patient), "pk", "submitted_at"),
        "responses": rows(
            responses_of_clinic(actor).filter(patient=patient), "pk", "recorded_at", "score"
        ),
        "local": rows(local_regions_of_clinic(actor).filter(patient=patient), "pk", "regions"),
        "sessions": rows(sessions, "pk", "taken_on"),
        "shots": rows(shots, "pk", "metrics", "metrics_algorithm", "cal_distance_mm"),
        # Reached through their photos (the door's scope), never by an id of their own.
        "revisions": rows(LandmarkRevision.objects.filter(shot__in=shots), "pk"),
        "plans": rows(
            plans,
            "pk",
            "start_date",
            "planned_visits",
            "interval_days",
            "reexam_dates",
            "notes",
        ),
        "goals": rows(
            CarePlanGoal.objects.filter(care_plan__in=plans),
            "pk",
            "description",
            "measure",
            "target",
            "target_value",
            "target_date",
        ),
        "mdc": sorted((name, entry.value) for name, entry in clinic_mdc(actor).items()),
    }
    return input_sha256(REPORT_KIND, patient.pk, language, timezone.localdate().isoformat(), record)


def request_patient_report(actor: Actor, patient_id: int, language: str | None) -> Job:
    """Submit the job that makes the patient's report (or get the one for the same inputs).

    The caller has authorised the actor for ``REPORT_NEEDS``; the door makes another clinic's
    patient a 404. Raises ``ReportError`` for a language the report has not."""
    from atlaschart.jobs.services import submit

    patient = get_patient_for_user(actor, patient_id, detail="report request")
    lang = report_language(patient, language)
    return submit(
        actor,
        REPORT_KIND,
        patient=patient,
        input_sha256=report_inputs_sha256(actor, patient, lang),
        payload={
            "patient_id": patient.pk,
            "language": lang,
            "back_url": reverse("patients:chart", args=[patient.pk]),
        },
    )


@transaction.atomic
def record_photo_consent(actor: Actor, patient: Patient, given: bool) -> PhotoConsent | None:
    """Record the patient's consent to photos in reports (``given``), or withdraw the one in
    force. Returns the consent written or withdrawn (``None`` when there was nothing to do).
    The caller has authorised the actor to write posture records."""
    today = timezone.localdate()
    current = photo_consents_of_clinic(actor).filter(patient=patient, withdrawn_on__isnull=True)
    if given:
        if current.exists():
            return None
        consent = PhotoConsent(patient=patient, given_on=today, recorded_by=actor.user)
        consent.save()
        return consent
    withdrawn = current.first()
    if withdrawn is None:
        return None
    current.update(withdrawn_on=today)
    withdrawn.withdrawn_on = today
    return withdrawn
