"""The living demo: six patients of each demo clinic at different stages of care.

Everything is made through the apps' services, acting as the member of staff (or the patient)
who would do it, so the records, derived values and access log are the real ones:

1. ``complete``: an intake with a body map and questionnaires, the clinician's safety items
   (a clear screen), a neuro exam, a care plan with goals, three signed visits with an upper
   cervical adjustment and leg checks before and after, posture sessions before and after, a
   radiograph with an upper cervical analysis, and a follow-up that shows change.
2. ``red_flag``: an intake whose safety answers raise a red flag; not treated, seen today.
3. ``new``: an intake link sent, not answered yet; a first consultation today.
4. ``injection``: intake, clear screen, consent to an injection, a signed visit with one.
5. ``followups``: a baseline and two follow-ups in which some regions change and others do not
   (the change is shown per region once follow-ups re-ask the body map).
6. ``manual``: a signed manual-therapy visit; a re-examination booked today.

Photos are real ones that installed packages ship (:mod:`atlaschart.imaging.sample_photos`);
the radiograph is a sample file that pydicom ships. A step whose service refuses (say, a form
changed under it) is reported as skipped, never half written: each runs in its own savepoint.
"""

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
from atlaschart.lib.actor import Actor
from atlaschart.patients.models import Patient

log = logging.getLogger(__name__)

#: The demo's stories, in the order of the clinic's patient list.
STORIES = ("complete", "red_flag", "new", "injection", "followups", "manual")

# Where each story's pain is at intake (0-10, by body-map region) and at each follow-up. The
# follow-ups change some regions and leave others as they were, so the per-region change has
# something to show: "neck better, between the shoulder blades unchanged, low back worse".
PAIN_AT_INTAKE: dict[str, dict[str, int]] = {
    "complete": {"neck": 7, "head_face": 5, "between_shoulder_blades_right": 5, "low_back_left": 3},
    "red_flag": {"low_back_right": 8, "low_back_left": 6, "leg_right": 5},
    "injection": {"neck": 6, "shoulder_right": 7, "arm_right": 4},
    "followups": {
        "neck": 8,
        "upper_back_left": 6,
        "between_shoulder_blades_left": 5,
        "low_back_right": 4,
        "head_face": 6,
    },
    "manual": {"low_back_left": 6, "buttock_pelvis_left": 5},
}
PAIN_AT_FOLLOWUPS: dict[str, list[dict[str, int]]] = {
    "complete": [
        {"neck": 4, "head_face": 2, "between_shoulder_blades_right": 5, "low_back_left": 3}
    ],
    "followups": [
        {
            "neck": 6,
            "upper_back_left": 6,
            "between_shoulder_blades_left": 5,
            "low_back_right": 4,
            "head_face": 4,
        },
        {
            "neck": 3,
            "upper_back_left": 5,
            "between_shoulder_blades_left": 2,
            "low_back_right": 6,
            "head_face": 2,
        },
    ],
}
# How bad the questionnaire answers are, 0 (none) to 1 (worst), at intake and each follow-up.
SEVERITY: dict[str, list[float]] = {
    "complete": [0.6, 0.3],
    "red_flag": [0.7],
    "injection": [0.55],
    "followups": [0.7, 0.5, 0.3],
    "manual": [0.45],
}
COMPLAINTS = {
    "ko": {
        "complete": "목이 뻣뻣하고 오후가 되면 뒷머리가 아픕니다.",
        "red_flag": "허리가 아프고 오른쪽 다리가 저립니다. 최근 체중이 많이 줄었습니다.",
        "injection": "오른쪽 어깨와 팔이 아파서 잠을 설칩니다.",
        "followups": "목과 등이 아프고 두통이 잦습니다.",
        "manual": "왼쪽 허리와 엉덩이가 오래 앉아 있으면 아픕니다.",
    },
    "en": {
        "complete": "Stiff neck, and the back of my head aches by the afternoon.",
        "red_flag": "Low back pain with tingling down the right leg. I have lost weight lately.",
        "injection": "My right shoulder and arm hurt and keep me awake.",
        "followups": "Neck and upper back pain, and frequent headaches.",
        "manual": "Left low back and buttock hurt when I sit for long.",
    },
}
PSFS_ACTIVITIES = {
    "ko": ["컴퓨터 작업 1시간", "고개 돌려 운전하기", "아이 안아 주기"],
    "en": ["An hour at the computer", "Turning my head to drive", "Lifting my child"],
}
CONSULTATION_REQUEST = {
    "ko": {
        "name": "문지아",
        "contact": "010-4242-5757",
        "preferred_time": "평일 저녁",
        "complaint": "교통사고 후 목이 아프고 어지럽습니다.",
    },
    "en": {
        "name": "Sarah Moon",
        "contact": "010-4242-5757",
        "preferred_time": "Weekday evenings",
        "complaint": "Neck pain and dizziness since a car accident.",
    },
}
# Goals of the care plan: the first on the NPRS (a free instrument the demo's intake asks; the
# licensed NDI needs the clinic's own wording file, which a demo cannot ship), the second in words.
GOALS = {
    "ko": ["목 통증이 일상에 지장 없는 정도(NPRS 2 이하)", "고개를 돌려 운전할 수 있다"],
    "en": [
        "Neck pain no longer in the way (NPRS 2 or less)",
        "Turns the head to drive without pain",
    ],
}
# Safety items only the clinician asks (the patient's form leaves them out): all answered "no"
# after the interview, so a screen from patient answers alone ends clear.
CLINICIAN_ITEMS_CLEAR: dict[str, Any] = {
    "V4": False,
    "V7": False,
    "U3": False,
    "N2": False,
    "N3": False,
    "T1": False,
    "T2": False,
}
# The red flag of the ``red_flag`` story: unexplained weight loss (S2), which the screen names.
RED_FLAG_ANSWERS = {"rf_S2": "yes"}


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

    def count(self, what: str, n: int = 1) -> None:
        self.made[what] = self.made.get(what, 0) + n


def _step(report: Report, what: str, action: Callable[[], Any]) -> Any:
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


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _working_day(day: date, back: bool = True) -> date:
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
    activities = PSFS_ACTIVITIES[language]
    out: dict[str, Any] = {}
    for f in fields:
        name, kind, values = f.name, f.kind, tuple(f.choices)
        if step == "consent":
            out[name] = "yes"
        elif name == "complaints":
            out[name] = COMPLAINTS[language].get(story, "")
        elif name == "onset_when":
            out[name] = "3개월 전" if language == "ko" else "Three months ago"
        elif name in ("onset_kind", "duration"):
            out[name] = values[1] if len(values) > 1 else values[0]
        elif name.startswith("pain_") and name[5:] in pain:
            out[name] = str(pain[name[5:]])
        elif name.startswith("quality_") and name[8:] in pain:
            out[name] = ["aching"] if "aching" in values else list(values[:1])
        elif name in ("pain_moves", "posture_worse"):
            out[name] = "yes" if "yes" in values else values[0]
        elif name == "posture_which":
            out[name] = [v for v in ("sitting", "looking_down") if v in values]
        elif name in ("treat_medication", "treat_physiotherapy"):
            out[name] = "no_change" if "no_change" in values else values[0]
        elif name in ("sym_headache", "sym_dizziness"):
            out[name] = "yes" if name == "sym_headache" and story != "manual" else "no"
        elif name.startswith("sym_") and kind == "choice":
            out[name] = "no" if "no" in values else values[0]
        elif name.startswith("rf_"):
            wanted = RED_FLAG_ANSWERS.get(name) if story == "red_flag" else None
            if wanted and wanted in values:
                out[name] = wanted
            elif kind == "multi":
                out[name] = ["no"] if "no" in values else []
            else:
                out[name] = "no" if "no" in values else values[-1]
        elif name.startswith("q_psfs_a") and name.endswith("_name"):
            n = int(name[len("q_psfs_a") : -len("_name")])
            if n <= len(activities):
                out[name] = activities[n - 1]
        elif name.startswith("q_psfs_a") and name.endswith("_score"):
            n = int(name[len("q_psfs_a") : -len("_score")])
            if n <= len(activities):
                # PSFS: 0 = unable, 10 = as before the problem, so less severe = higher.
                out[name] = str(round((1 - severity) * 10) - (n - 1) % 2)
        elif name.startswith("q_") and kind == "choice" and values:
            out[name] = _choice(values, severity)
    return {k: v for k, v in out.items() if v not in ("", [], None)}


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


def _intake(report: Report, staff: Staff, patient: Patient, story: str) -> Any:
    from atlaschart.intake import services as intake_services

    def send_and_answer() -> Any:
        link, _token = intake_services.create_link(staff.actor(staff.desk), patient)
        return _answer_link(report, link, story, 0, staff.language)

    return _step(report, "intake", send_and_answer)


def _followup(report: Report, staff: Staff, patient: Patient, story: str, stage: int) -> Any:
    from atlaschart.intake import services as intake_services

    def send_and_answer() -> Any:
        chosen = intake_services.instruments_done(patient)
        link, _token = intake_services.create_followup_link(
            staff.actor(staff.clinician), patient, chosen
        )
        return _answer_link(report, link, story, stage, staff.language)

    return _step(report, "follow-up", send_and_answer)


# --------------------------------------------------------------------------- clinical records


def _clear_clinician_items(report: Report, staff: Staff, patient: Patient) -> None:
    from atlaschart.safety.services import rescreen_with_entries

    _step(
        report,
        "safety interview",
        lambda: rescreen_with_entries(staff.actor(staff.clinician), patient, CLINICIAN_ITEMS_CLEAR),
    )


def _exam(
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

    return _step(report, f"exam {kind}", record)


NEURO_NORMAL: dict[str, Any] = {
    "scale": "ninds_0_4",
    "gait": "normal",
    **{
        f"reflex_{reflex}_{side}": "2"
        for reflex in ("biceps", "brachioradialis", "triceps", "patellar", "achilles")
        for side in ("left", "right")
    },
}


def _leg_checks(report: Report, staff: Staff, patient: Patient, visit_id: int, pre: float) -> None:
    """Leg checks before and after the adjustment (supine, in eighths of an inch)."""
    for timing, magnitude in (("pre", pre), ("post", max(0.0, pre - 2))):
        _exam(
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


# Frontal landmarks of the demo photo (bus_coat padded to 800 x 1200 px), in pixels from the
# top left. Taken once from the pose model's run on this very photo and rounded, for machines
# without the model; stored as clinician-placed points (save_landmarks marks them so).
HAND_PLACED_ANTERIOR: dict[str, tuple[int, int]] = {
    "nose": (397, 166),
    "left_ear": (410, 153),
    "right_ear": (342, 154),
    "left_shoulder": (438, 273),
    "right_shoulder": (278, 274),
    "left_hip": (414, 607),
    "right_hip": (310, 614),
    "left_knee": (462, 836),
    "right_knee": (290, 863),
    "left_ankle": (504, 1057),
    "right_ankle": (237, 1076),
}


def _posture_session(
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

    _step(report, "posture photo", make)


def _radiograph_file() -> Path:
    """A sample DICOM image that pydicom ships in its wheel (no download)."""
    from pydicom.data import get_testdata_file

    found = get_testdata_file("CT_small.dcm", download=False)
    if not found:
        raise FileNotFoundError("pydicom's CT_small.dcm sample is not installed")
    return Path(str(found))


def _radiograph(report: Report, staff: Staff, patient: Patient) -> None:
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

    _step(report, "radiograph with analysis", make)


def _care_plan(report: Report, staff: Staff, patient: Patient, start: date) -> Any:
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
            start_date=start,  # type: ignore[call-arg]
        )
        if not goals.is_valid():
            raise ValueError(str(goals.errors))
        return visit_services.create_care_plan(
            staff.actor(staff.clinician), patient, dict(form.cleaned_data), goals.goals()
        )

    return _step(report, "care plan", make)


def _book(
    report: Report,
    staff: Staff,
    patient: Patient,
    when: datetime,
    minutes: int,
    kind: str,
    note: str = "",
) -> Any:
    from atlaschart.visits import services as visit_services

    return _step(
        report,
        "appointment",
        lambda: visit_services.book_appointment(
            staff.actor(staff.desk), patient, staff.clinician, when, minutes, note, kind=kind
        ),
    )


def _treatment_data(kind: str, technique: str, **fields: Any) -> dict[str, Any]:
    from atlaschart.visits.forms import setting_field_name

    data: dict[str, Any] = {"kind": kind, "technique": technique}
    for key, value in fields.items():
        if key.startswith("setting_"):
            data[setting_field_name(technique, key[len("setting_") :])] = value
        else:
            data[key] = value
    return data


def _visit(
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

    appointment = _book(report, staff, patient, _at(day, hour), 30, appointment_kind)
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

    visit = _step(report, "visit", open_and_write)
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

        _step(report, "signed treatment", treat)
    _step(report, "signed visit", lambda: visit_services.sign_note(clinician, visit))
    return visit


SOAP_KO = {
    "subjective": "목의 뻣뻣함이 지난주보다 줄었다고 함. 오후 두통은 주 2회.",
    "objective": "경추 회전 좌우 차이 감소. 앙와위 다리 길이 검사 시행.",
    "assessment": "상부 경추 정렬 교정 후 반응 양호.",
    "plan": "주 1회 교정 유지, 4주 후 재평가.",
}
SOAP_EN = {
    "subjective": "Neck stiffness less than last week. Afternoon headaches twice a week.",
    "objective": "Rotation difference between sides smaller. Supine leg check done.",
    "assessment": "Responding well after the upper cervical correction.",
    "plan": "Weekly correction, re-assess in four weeks.",
}


def _nucca(lateral: str) -> dict[str, Any]:
    return _treatment_data(
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


# --------------------------------------------------------------------------------- the stories


def load_stories(staff: Staff, patients: list[Patient], language: str) -> Report:
    """Give the first six patients of a demo clinic their stories (see the module docstring)."""
    report = Report()
    staff.language = language
    today = timezone.localdate()
    soap = SOAP_KO if language == "ko" else SOAP_EN
    weeks_ago = [_working_day(today - timedelta(days=d)) for d in (28, 21, 14, 7)]
    by_story = dict(zip(STORIES, patients, strict=False))

    # 1. complete: the whole path of care.
    if p := by_story.get("complete"):
        _intake(report, staff, p, "complete")
        _clear_clinician_items(report, staff, p)
        _exam(report, staff, p, "neuro", NEURO_NORMAL)
        _care_plan(report, staff, p, weeks_ago[0])
        _posture_session(report, staff, p, weeks_ago[0], "")
        _radiograph(report, staff, p)
        for n, day in enumerate(weeks_ago[:3]):
            _visit(report, staff, p, day, 10, soap, _nucca(str(3 - n * 0.5)), leg_pre=4 - n)
        _followup(report, staff, p, "complete", 1)
        _posture_session(report, staff, p, weeks_ago[3], "")
        # The patient agrees that their posture photos may go into their report.
        from atlaschart.reports import services as report_services

        _step(
            report,
            "photo consent",
            lambda p=p: report_services.record_photo_consent(staff.actor(staff.clinician), p, True),
        )
        # Their report, made by its background job (at once, as above): the chart's report
        # section and the job's page have something to show.
        _step(
            report,
            "patient report",
            lambda p=p: report_services.request_patient_report(
                staff.actor(staff.clinician), p.pk, None
            ),
        )
        _book(report, staff, p, _at(today, 10), 30, "adjustment")

    # 2. red flag: the screen names it; not treated; seen today to talk about referral.
    if p := by_story.get("red_flag"):
        _intake(report, staff, p, "red_flag")
        _clear_clinician_items(report, staff, p)
        _book(report, staff, p, _at(today, 11), 40, "consultation")

    # 3. new: a link sent this morning, not answered yet; first consultation today.
    if p := by_story.get("new"):
        from atlaschart.intake import services as intake_services

        newcomer: Patient = p
        _step(
            report,
            "open intake link",
            lambda: intake_services.create_link(staff.actor(staff.desk), newcomer),
        )
        _book(report, staff, p, _at(today, 14), 40, "consultation")

    # 4. injection: consent, then a signed visit with a trigger-point injection.
    if p := by_story.get("injection"):
        from atlaschart.visits import services as visit_services

        consenting: Patient = p
        _intake(report, staff, p, "injection")
        _clear_clinician_items(report, staff, p)
        _step(
            report,
            "injection consent",
            lambda: visit_services.record_consent(
                staff.actor(staff.clinician),
                consenting,
                {"kind": "injection", "given_on": weeks_ago[3], "notes": ""},
            ),
        )
        injection = _treatment_data(
            "injection",
            "",
            drug="Lidocaine 1%",
            concentration_mg_per_ml="10",
            dose_mg="20",
            volume_ml="2",
            site="오른쪽 상부 승모근" if language == "ko" else "Right upper trapezius",
            injection_side="right",
            guidance="ultrasound",
            lot_number="LD24117",
            expiry_date=(today + timedelta(days=300)).isoformat(),
            given_at="15:10",
            physician=staff.clinician.display_name or staff.clinician.username,
            complications="",
        )
        from atlaschart.visits.access import consents_of_clinic

        consent = consents_of_clinic(staff.actor(staff.clinician)).filter(patient=p).first()
        if consent is not None:
            injection["consent"] = str(consent.pk)
        _visit(report, staff, p, weeks_ago[3], 15, soap, injection, appointment_kind="injection")
        _book(report, staff, p, _at(today, 15), 30, "injection")

    # 5. follow-ups: baseline and two follow-ups, some regions better and others not.
    if p := by_story.get("followups"):
        _intake(report, staff, p, "followups")
        _clear_clinician_items(report, staff, p)
        # The clinician confirms the chief complaint: the neck and upper back are local, the rest
        # of the marked regions distant, as the progress page shows them.
        from atlaschart.intake import services as intake_services

        _step(
            report,
            "chief-complaint regions",
            lambda p=p: intake_services.confirm_local_regions(
                staff.actor(staff.clinician), p, ["neck", "upper_back_left"]
            ),
        )
        for n, day in enumerate(weeks_ago[:2]):
            _visit(report, staff, p, day, 16, soap, _nucca(str(2.5 - n * 0.5)), leg_pre=3)
        _followup(report, staff, p, "followups", 1)
        _visit(report, staff, p, weeks_ago[2], 16, soap, _nucca("1.5"), leg_pre=2)
        _followup(report, staff, p, "followups", 2)
        _book(report, staff, p, _at(today, 16), 30, "reexamination")

    # 6. manual therapy: a signed mobilisation visit; re-examination today.
    if p := by_story.get("manual"):
        _intake(report, staff, p, "manual")
        _clear_clinician_items(report, staff, p)
        mobilisation = _treatment_data(
            "manual_therapy",
            "mobilisation",
            description="",
            manual_side="left",
            setting_region="lumbar",
            setting_minutes="10",
        )
        _visit(report, staff, p, weeks_ago[3], 17, soap, mobilisation)
        _book(report, staff, p, _at(today, 17), 30, "reexamination")

    # And someone not yet a patient asked for a consultation on the clinic's public page.
    from atlaschart.visits import services as visit_services

    _step(
        report,
        "consultation request",
        lambda: visit_services.submit_consultation_request(
            staff.desk.clinic_id, CONSULTATION_REQUEST[language]
        ),
    )
    return report
