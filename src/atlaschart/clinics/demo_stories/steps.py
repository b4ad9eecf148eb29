"""The demo's steps: each one user action through the app's own service (or form), acting as
the member of staff (or the patient) who would do it, in its own savepoint (``run_step``)."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from atlaschart.accounts.models import User
from atlaschart.clinics.demo_stories.content import (
    CLINICIAN_ITEMS_CLEAR,
    COMPLAINTS,
    GOALS,
    HAND_PLACED_ANTERIOR,
    PAIN_AT_FOLLOWUPS,
    PAIN_AT_INTAKE,
    PSFS_ACTIVITIES,
    RED_FLAG_ANSWERS,
    SEVERITY,
)
from atlaschart.lib.actor import Actor
from atlaschart.patients.models import Patient

log = logging.getLogger(__name__)


@dataclass
class Staff:
    admin: User
    clinician: User
    desk: User
    language: str = "ko"  # the language the demo's patients write and answer in

    def actor(self, user: User) -> Actor:
        return Actor.system(user, via="demo")


@dataclass
class Report:
    """What the stories made, and which steps were skipped (with the service's reason)."""

    made: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    # Secrets a service shows once (an API token, a calendar address), by what they open.
    shown_once: dict[str, str] = field(default_factory=dict)

    def count(self, what: str, n: int = 1) -> None:
        self.made[what] = self.made.get(what, 0) + n


def run_step(report: Report, what: str, action: Callable[[], Any]) -> Any:
    """Run one demo step in a savepoint: a refusal rolls back that step only and is reported."""
    try:
        with transaction.atomic():
            result = action()
    except Exception as exc:  # any refusal of a service: reported, never half written
        report.skipped.append(f"{what}: {type(exc).__name__}: {exc}"[:300])
        log.warning("demo step skipped: %s: %s", what, exc)
        return None
    report.count(what)
    return result


def at_time(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def working_day(day: date, back: bool = True) -> date:
    """The nearest weekday on or before (``back``) or after ``day``: demo visits fall on days a
    clinic is open, so no booking needs a holiday confirmation."""
    step = -1 if back else 1
    while day.weekday() >= 5:
        day += timedelta(days=step)
    return day


# ---------------------------------------------------------------------------- intake (patient)


def _choice(values: tuple[str, ...], severity: float) -> str:
    """The value a fraction ``severity`` of the way along a field's choices (in scale order)."""
    numeric = [v for v in values if v.lstrip("-").isdigit()]
    ordered = sorted(numeric, key=int) if len(numeric) == len(values) else list(values)
    return ordered[min(len(ordered) - 1, max(0, round(severity * (len(ordered) - 1))))]


@dataclass(frozen=True)
class _DemoPatient:
    """Who answers the form: the story, the language, and how bad things are at this stage."""

    story: str
    language: str
    severity: float
    pain: Mapping[str, int]  # region key: rating, for the regions that hurt at this stage
    activities: list[str]


_NOT_MINE = object()
"""Returned by an answer rule for a field it does not cover: the next rule is asked."""


def _step_answers(
    step: str, fields: Iterable[Any], story: str, stage: int, language: str
) -> dict[str, Any]:
    """The answers a demo patient gives on one step, for the step's fields as they are today."""
    severity = SEVERITY.get(story, [0.5])[min(stage, len(SEVERITY.get(story, [0.5])) - 1)]
    pain = (
        PAIN_AT_INTAKE.get(story, {})
        if stage == 0
        else PAIN_AT_FOLLOWUPS.get(story, [{}] * stage)[stage - 1]
    )
    patient = _DemoPatient(story, language, severity, pain, PSFS_ACTIVITIES[language])
    out: dict[str, Any] = {}
    for f in fields:
        name, kind, values = f.name, f.kind, tuple(f.choices)
        if step == "consent":
            out[name] = "yes"
            continue
        for rule in _ANSWER_RULES:
            answer = rule(name, kind, values, patient)
            if answer is not _NOT_MINE:
                out[name] = answer
                break
    return {k: v for k, v in out.items() if v not in ("", [], None)}


# The answer rules, asked in this order; the first that covers a field answers it.


def _complaint_answer(name: str, kind: str, values: tuple[str, ...], p: _DemoPatient) -> Any:
    if name == "complaints":
        return COMPLAINTS[p.language].get(p.story, "")
    if name == "onset_when":
        return "3개월 전" if p.language == "ko" else "Three months ago"
    if name in ("onset_kind", "duration"):
        return values[1] if len(values) > 1 else values[0]
    return _NOT_MINE


def _pain_answer(name: str, kind: str, values: tuple[str, ...], p: _DemoPatient) -> Any:
    if name.startswith("pain_") and name[5:] in p.pain:
        return str(p.pain[name[5:]])
    if name.startswith("quality_") and name[8:] in p.pain:
        return ["aching"] if "aching" in values else list(values[:1])
    if name in ("pain_moves", "posture_worse"):
        return "yes" if "yes" in values else values[0]
    if name == "posture_which":
        return [v for v in ("sitting", "looking_down") if v in values]
    return _NOT_MINE


def _history_answer(name: str, kind: str, values: tuple[str, ...], p: _DemoPatient) -> Any:
    if name in ("treat_medication", "treat_physiotherapy"):
        return "no_change" if "no_change" in values else values[0]
    if name in ("sym_headache", "sym_dizziness"):
        return "yes" if name == "sym_headache" and p.story != "manual" else "no"
    if name.startswith("sym_") and kind == "choice":
        return "no" if "no" in values else values[0]
    return _NOT_MINE


def _red_flag_answer(name: str, kind: str, values: tuple[str, ...], p: _DemoPatient) -> Any:
    if not name.startswith("rf_"):
        return _NOT_MINE
    wanted = RED_FLAG_ANSWERS.get(name) if p.story == "red_flag" else None
    if wanted and wanted in values:
        return wanted
    if kind == "multi":
        return ["no"] if "no" in values else []
    return "no" if "no" in values else values[-1]


def _psfs_answer(name: str, kind: str, values: tuple[str, ...], p: _DemoPatient) -> Any:
    if not name.startswith("q_psfs_a") or not name.endswith(("_name", "_score")):
        return _NOT_MINE
    suffix = "_name" if name.endswith("_name") else "_score"
    n = int(name[len("q_psfs_a") : -len(suffix)])
    if n > len(p.activities):
        return None  # no such activity: left unanswered
    if suffix == "_name":
        return p.activities[n - 1]
    # PSFS: 0 = unable, 10 = as before the problem, so less severe = higher.
    return str(round((1 - p.severity) * 10) - (n - 1) % 2)


def _questionnaire_answer(name: str, kind: str, values: tuple[str, ...], p: _DemoPatient) -> Any:
    if name.startswith("q_") and kind == "choice" and values:
        return _choice(values, p.severity)
    return _NOT_MINE


_ANSWER_RULES: tuple[Callable[[str, str, tuple[str, ...], _DemoPatient], Any], ...] = (
    _complaint_answer,
    _pain_answer,
    _history_answer,
    _red_flag_answer,
    _psfs_answer,
    _questionnaire_answer,
)


def _answer_link(report: Report, link: Any, story: str, stage: int, language: str) -> Any:
    """Fill and send a link the way the patient's page does: each step cleaned and saved, then
    submitted. Returns the intake or follow-up."""
    from atlaschart.intake import services as intake_services
    from atlaschart.intake import steps
    from atlaschart.intake.models import LinkKind

    patient_actor = Actor.system(None, via="demo")
    # The patient reads the page in the clinic's demo language (Busan's demo is English).
    intake_services.set_language(patient_actor, link, language)
    spec = steps.spec_of(link)
    for step in spec.step_keys:
        raw = _step_answers(step, steps.step_fields(step, spec), story, stage, link.language)
        cleaned = steps.clean_step(step, raw, spec)
        intake_services.save_step(patient_actor, link, step, cleaned)
    if link.kind == LinkKind.FOLLOWUP:
        return intake_services.submit_followup(patient_actor, link)
    return intake_services.submit_intake(patient_actor, link)


def answer_intake(report: Report, staff: Staff, patient: Patient, story: str) -> Any:
    from atlaschart.intake import services as intake_services

    def send_and_answer() -> Any:
        link, _token = intake_services.create_link(staff.actor(staff.desk), patient)
        return _answer_link(report, link, story, 0, staff.language)

    return run_step(report, "intake", send_and_answer)


def answer_followup(report: Report, staff: Staff, patient: Patient, story: str, stage: int) -> Any:
    from atlaschart.intake import services as intake_services

    def send_and_answer() -> Any:
        chosen = intake_services.instruments_done(patient)
        link, _token = intake_services.create_followup_link(
            staff.actor(staff.clinician), patient, chosen
        )
        return _answer_link(report, link, story, stage, staff.language)

    return run_step(report, "follow-up", send_and_answer)


# --------------------------------------------------------------------------- clinical records


def clear_clinician_items(report: Report, staff: Staff, patient: Patient) -> None:
    from atlaschart.safety.services import rescreen_with_entries

    run_step(
        report,
        "safety interview",
        lambda: rescreen_with_entries(staff.actor(staff.clinician), patient, CLINICIAN_ITEMS_CLEAR),
    )


def exam_through_form(
    report: Report,
    staff: Staff,
    patient: Patient,
    kind: str,
    data: Mapping[str, Any],
    visit_id: int | None = None,
) -> Any:
    """An exam through its form (which validates and turns the fields into the raw record) and
    the exams service."""
    from atlaschart.exams import services as exam_services
    from atlaschart.exams.kinds import kind_of

    spec = kind_of(kind)

    def record() -> Any:
        actor = staff.actor(staff.clinician)
        timing = str(data.get("timing") or "")
        form = spec.form(
            data=dict(data),
            age_years=patient.age_on(timezone.localdate()),
            pre_raw=exam_services.pre_raw_for(actor, patient, spec, timing, visit_id, dict(data)),
        )
        if not form.is_valid():
            raise ValueError(form.errors.as_text())
        return exam_services.record_exam(
            actor,
            patient,
            kind,
            raw=form.raw(),
            timing=form.cleaned_data.get("timing", ""),
            visit_id=visit_id,
        )

    return run_step(report, f"exam {kind}", record)


def _leg_checks(report: Report, staff: Staff, patient: Patient, visit_id: int, pre: float) -> None:
    """Leg checks before and after the adjustment (supine, in eighths of an inch)."""
    for timing, magnitude in (("pre", pre), ("post", max(0.0, pre - 2))):
        exam_through_form(
            report,
            staff,
            patient,
            "leg_check",
            {
                "timing": timing,
                "check_type": "supine",
                "short_side": "right" if magnitude else "even",
                "magnitude": str(magnitude),
                "unit": "eighth_inch",
            },
            visit_id=visit_id,
        )


def posture_session(
    report: Report, staff: Staff, patient: Patient, taken_on: date, note: str
) -> None:
    """A frontal posture photo (a real one, shipped by an installed package) with the pose
    model's landmarks, or none when the model is missing (the clinician places them then)."""
    from PIL import Image

    from atlaschart.imaging import sample_photos
    from atlaschart.imaging.photos import load_photo
    from atlaschart.posture import services as posture_services
    from atlaschart.posture.access import shots_of_clinic

    def make() -> Any:
        rgb = sample_photos.pad_to_portrait(sample_photos.bus_coat(), (800, 1200))
        buf = io.BytesIO()
        Image.fromarray(rgb).save(buf, "JPEG", quality=90)
        data = buf.getvalue()
        actor = staff.actor(staff.clinician)
        session = posture_services.create_session(
            actor, patient, {"taken_on": taken_on, "note": note}
        )
        # Through the background job, as an upload from the page (run at once: the demo loader
        # has no worker), so the living demo holds a finished posture job.
        image_format = load_photo(data).format
        job = posture_services.stage_shot(actor, session, "anterior", data, image_format)
        if job.state != "done":
            raise RuntimeError(f"posture job {job.state}: {job.error_code}")
        shot = shots_of_clinic(actor).get(pk=job.result["shot_id"])
        if not shot.detector:
            # No pose model on this machine: the points are placed as a clinician would, and
            # the revision records them as the clinician's, not the model's.
            posted = [{"name": n, "x": x, "y": y} for n, (x, y) in HAND_PLACED_ANTERIOR.items()]
            posture_services.save_landmarks(actor, shot, 1, posted)
        return shot

    run_step(report, "posture photo", make)


def _radiograph_file() -> Path:
    """A sample DICOM image that pydicom ships in its wheel (no download)."""
    from pydicom.data import get_testdata_file

    found = get_testdata_file("CT_small.dcm", download=False)
    if not found:
        raise FileNotFoundError("pydicom's CT_small.dcm sample is not installed")
    return Path(str(found))


def radiograph_session(report: Report, staff: Staff, patient: Patient) -> None:
    """Import pydicom's sample image through the imaging service and mark an upper cervical
    analysis on it (points placed by hand, as a clinician does in the editor)."""
    from atlaschart.imaging_studies import services as imaging_services
    from atlaschart.imaging_studies.forms import flat_to_core
    from atlaschart.imaging_studies.models import Instance
    from atlaschart.imaging_studies.upload import parse
    from atlaschart.measure.radiograph import GENERIC_ORTHOGONAL

    def make() -> Any:
        actor = staff.actor(staff.clinician)
        path = _radiograph_file()
        parsed = parse([(path.name, path.read_bytes())])
        imaging_services.import_upload(actor, patient, parsed, identity_confirmed=True)
        inst = Instance.objects.filter(series__study__patient=patient).order_by("-id").first()
        if inst is None:
            raise LookupError("the sample image was not stored")
        w, h = inst.columns, inst.rows
        flat = {
            "skull_pairs.1.right": [0.25 * w, 0.20 * h],
            "skull_pairs.1.left": [0.75 * w, 0.21 * h],
            "skull_pairs.2.right": [0.22 * w, 0.45 * h],
            "skull_pairs.2.left": [0.78 * w, 0.455 * h],
            "apl_right": [0.33 * w, 0.66 * h],
            "apl_left": [0.67 * w, 0.64 * h],
        }
        points = flat_to_core(flat, (w, h))
        return imaging_services.save_analysis(
            actor,
            inst,
            view="nasium",
            profile=GENERIC_ORTHOGONAL,
            points=points,
            listing="",
            vector="",
            listing_table=imaging_services.active_listing_table(actor, "nasium"),
        )

    run_step(report, "radiograph with analysis", make)


def care_plan_with_goals(report: Report, staff: Staff, patient: Patient, start: date) -> Any:
    from atlaschart.visits import services as visit_services
    from atlaschart.visits.forms import CarePlanForm, GoalFormSet

    def make() -> Any:
        form = CarePlanForm(
            data={
                "start_date": start.isoformat(),
                "interval_days": "7",
                "planned_visits": "6",
                "reexam_dates": (start + timedelta(days=28)).isoformat(),
                "notes": "",
            }
        )
        if not form.is_valid():
            raise ValueError(form.errors.as_text())
        # BaseGoalFormSet takes the plan start; the factory is typed as a plain BaseFormSet.
        goals: Any = GoalFormSet(
            data={
                "goals-TOTAL_FORMS": "2",
                "goals-INITIAL_FORMS": "0",
                "goals-0-description": GOALS[staff.language][0],
                "goals-0-measure": "nprs",
                "goals-0-target_value": "2",
                "goals-0-target_date": (start + timedelta(days=56)).isoformat(),
                "goals-1-description": GOALS[staff.language][1],
                "goals-1-measure": "",
                "goals-1-target_value": "",
                "goals-1-target_date": (start + timedelta(days=42)).isoformat(),
            },
            prefix="goals",
            start_date=start,
        )
        if not goals.is_valid():
            raise ValueError(str(goals.errors))
        return visit_services.create_care_plan(
            staff.actor(staff.clinician), patient, dict(form.cleaned_data), goals.goals()
        )

    return run_step(report, "care plan", make)


def book_slot(
    report: Report,
    staff: Staff,
    patient: Patient,
    when: datetime,
    minutes: int,
    kind: str,
    note: str = "",
) -> Any:
    from atlaschart.visits import services as visit_services

    return run_step(
        report,
        "appointment",
        lambda: visit_services.book_appointment(
            staff.actor(staff.desk), patient, staff.clinician, when, minutes, note, kind=kind
        ),
    )


def treatment_data(kind: str, technique: str, **fields: Any) -> dict[str, Any]:
    from atlaschart.visits.forms import setting_field_name

    data: dict[str, Any] = {"kind": kind, "technique": technique}
    for key, value in fields.items():
        if key.startswith("setting_"):
            data[setting_field_name(technique, key[len("setting_") :])] = value
        else:
            data[key] = value
    return data


def visit_to_signing(
    report: Report,
    staff: Staff,
    patient: Patient,
    day: date,
    hour: int,
    note: dict[str, str],
    treatment: dict[str, Any] | None,
    leg_pre: float | None = None,
    appointment_kind: str = "adjustment",
) -> Any:
    """A visit from booking to signing: arrival, the note, the follow-up question (from the
    second treated visit on), leg checks, one treatment, signatures."""
    from atlaschart.visits import services as visit_services
    from atlaschart.visits.forms import TreatmentForm
    from atlaschart.visits.models import AppointmentStatus

    appointment = book_slot(report, staff, patient, at_time(day, hour), 30, appointment_kind)
    if appointment is None:
        return None
    clinician = staff.actor(staff.clinician)

    def open_and_write() -> Any:
        visit_services.set_status(staff.actor(staff.desk), appointment, AppointmentStatus.ARRIVED)
        visit = visit_services.open_visit(clinician, appointment)
        visit = visit_services.update_note(clinician, visit, note, visit.version)
        if visit_services.needs_followup(clinician, visit):
            visit_services.record_followup(clinician, visit, None)
        return visit

    visit = run_step(report, "visit", open_and_write)
    if visit is None:
        return None
    if leg_pre is not None:
        _leg_checks(report, staff, patient, visit.pk, leg_pre)
    if treatment is not None:

        def treat() -> Any:
            from atlaschart.visits.access import consents_of_clinic

            consents = consents_of_clinic(clinician).filter(patient=patient)
            form = TreatmentForm(data=treatment, consents=consents, visit_date=visit.visit_date)
            if not form.is_valid():
                raise ValueError(form.errors.as_text())
            made = visit_services.add_treatment(clinician, visit, form.treatment_data())
            visit_services.sign_treatment(clinician, made)
            return made

        run_step(report, "signed treatment", treat)
    run_step(report, "signed visit", lambda: visit_services.sign_note(clinician, visit))
    return visit


def nucca_adjustment(lateral: str) -> dict[str, Any]:
    return treatment_data(
        "uc_adjustment",
        "nucca",
        listing="ASRp",
        contact_side="right",
        setting_lateral_vector_deg=lateral,
        setting_rotation_vector_deg="4.5",
        setting_rotation_direction="posterior",
        setting_head_tilt_correction_deg="2",
        setting_head_tilt_side="left",
    )
