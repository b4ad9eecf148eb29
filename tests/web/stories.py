"""Stories the web tests and the browser journeys share, so a journey reads the same records the
page's own tests count by hand:

- ``progress_story``: the personas' patient over six weeks (the demo's "followups" story in
  clinics.demo_stories): an intake, two follow-ups, a visit at each, neck and head confirmed as
  the chief complaint (tests/web/test_progress.py, tests/browser/test_progress_journey.py);
- ``generated_clinic``: Seoul's NPRS baselines and follow-ups over generated patients, every
  fourth never back (tests/web/test_outcomes.py, tests/browser/test_outcomes_journey.py).
"""

from __future__ import annotations

import math
import random
from datetime import date, datetime, timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone
from tests.factories.care import visit
from tests.factories.intake import submitted_followup, submitted_intake
from tests.factories.people import patient

# The progress story's pain by body-map region: at the intake, then at each follow-up.
INTAKE = {
    "neck": 8,
    "upper_back_left": 6,
    "between_shoulder_blades_left": 5,
    "low_back_right": 4,
    "head_face": 6,
}
FOLLOWUPS = [
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
]
NPRS = ["8", "6", "3"]
WEEKS_AGO = (6, 3, 0)


def pain_answers(regions: dict[str, int]) -> dict[str, str]:
    """The body map's answers for ``regions`` (region: pain 0..10), as the form posts them."""
    return {f"pain_{key}": str(value) for key, value in regions.items()}


def spread_over_weeks(personas: Any) -> None:
    """Intake six weeks ago, follow-ups three weeks ago and today, a visit at each (the records
    refuse edits through save() and the services date them now; the test moves them in time
    with update())."""
    from atlaschart.intake.models import FollowUp, Intake, QuestionnaireResponse

    now = timezone.now()
    forms = [*Intake.objects.filter(patient=personas.patient)]
    forms += list(FollowUp.objects.filter(patient=personas.patient).order_by("submitted_at", "id"))
    for form, weeks in zip(forms, WEEKS_AGO, strict=True):
        when = now - timedelta(weeks=weeks)
        type(form).objects.filter(pk=form.pk).update(submitted_at=when)
        responses = QuestionnaireResponse.objects.filter(patient=personas.patient)
        key = "intake" if isinstance(form, Intake) else "followup"
        responses.filter(**{key: form}).update(recorded_at=when)
        visit(personas.clinician, personas.patient, when)


def progress_story(personas: Any) -> int:
    """The progress story for the personas' patient (see the module's docstring); the patient's
    id."""
    intake = submitted_intake(
        personas.desk,
        personas.patient,
        {**pain_answers(INTAKE), "q_nprs_q1": NPRS[0]},
        instruments=("nprs",),
        language="en",
    )
    for regions, nprs in zip(FOLLOWUPS, NPRS[1:], strict=True):
        submitted_followup(
            personas.clinician,
            personas.patient,
            ["nprs"],
            {**pain_answers(regions), "q_nprs_q1": nprs},
        )
    spread_over_weeks(personas)
    # The clinician confirms the neck and the head as the chief complaint.
    personas.login(personas.clinician).post(
        reverse("intake:local_regions", args=[intake.pk]), {"local": ["neck", "head_face"]}
    )
    return int(personas.patient.pk)


# The outcome figures are counted over fixed dates in the past; the intake services stamp every
# answer, intake and follow-up with the moment it is sent, so these rows are written with their
# dates directly.


def dated_response(clinic: Any, patient: Any, when: datetime, score: float, **extra: Any) -> None:
    """A scored questionnaire answer (NPRS unless ``instrument``) recorded at ``when``."""
    from atlaschart.intake.models import QuestionnaireResponse

    QuestionnaireResponse.objects.create(
        clinic=clinic,
        patient=patient,
        recorded_at=when,
        instrument=extra.get("instrument", "nprs"),
        version=extra.get("version", "1"),
        language=extra.get("language", "ko"),
        answers={"q1": int(score)},
        scorable=True,
        score=score,
        answered=1,
        algorithm="instrument.nprs@1",
    )


def generated_clinic(personas: Any, patients: int = 40, seed: int = 7) -> list[tuple[float, ...]]:
    """NPRS baselines and follow-ups for Seoul; returns (baseline, follow-up or NaN) per patient."""
    rng = random.Random(seed)
    start = datetime(2026, 3, 1, 10, 0, tzinfo=timezone.get_current_timezone())
    truth = []
    for i in range(patients):
        # Registered by the front desk, as at the counter.
        someone = patient(
            personas.desk, name=f"환자{i}", date_of_birth=date(1980, 1, 1), chart_number=f"G{i:04d}"
        )
        baseline = float(rng.randint(3, 10))
        when = start + timedelta(days=i)
        dated_response(personas.seoul, someone, when, baseline)
        if i % 4 == 3:  # every fourth patient never came back
            truth.append((baseline, math.nan))
            continue
        middle = max(0.0, baseline - rng.randint(0, 3))
        dated_response(personas.seoul, someone, when + timedelta(days=14), middle)
        last = max(0.0, min(10.0, baseline - rng.randint(-2, 6)))
        dated_response(personas.seoul, someone, when + timedelta(days=28), last)
        truth.append((baseline, last))
    # Another clinic's patient never counts.
    dated_response(personas.busan, personas.busan_patient, start, 9)
    dated_response(personas.busan, personas.busan_patient, start + timedelta(days=20), 0)
    return truth
