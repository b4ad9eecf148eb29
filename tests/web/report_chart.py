"""The chart the report tests read: its fixture and how a test reads the PDF's text.

A support module, not a test: the report tests (tests/web/test_reports.py), the ``atlaschart
report`` command's (tests/cli/test_report_cli.py) and the browser journey
(tests/browser/test_report_journey.py) import ``chart`` and ``media`` from here (a fixture works
in the module that imports it) with ``pdf_text`` and ``squash``.

The chart's figures, hand-computed, are in test_reports.py's docstring.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from tests.builders.landmarks import model_point
from tests.factories.care import care_plan
from tests.factories.intake import submitted_followup, submitted_intake
from tests.factories.posture import posture_session, posture_shot

from atlaschart.intake.models import FollowUp, Intake, QuestionnaireResponse
from atlaschart.intake.services import confirm_local_regions
from atlaschart.lib.actor import Actor
from atlaschart.measure.instruments import INSTRUMENTS, score


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def pdf_text(data: bytes) -> str:
    """The PDF's text with white space and NULs removed: pypdf reads the two-byte glyph codes
    of the embedded OpenType subset with a NUL and a space between glyphs."""
    assert data.startswith(b"%PDF-")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"[\s\x00]+", "", text)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def nprs(personas: Any, value: int, when: datetime) -> None:
    """An NPRS score of ``value`` recorded at ``when``."""
    instrument = INSTRUMENTS["nprs"]
    result = score(instrument, {"q1": value})
    # Raw: a back-dated score, and no form (the services record one only as a form is sent, now).
    QuestionnaireResponse.objects.create(
        clinic=personas.seoul,
        patient=personas.patient,
        recorded_at=when,
        instrument="nprs",
        version=instrument.version,
        language="ko",
        answers={"q1": value},
        scorable=True,
        score=result.score,
        answered=1,
        algorithm=instrument.algorithm.label,
    )


def sent_on(form: Intake | FollowUp, when: datetime) -> None:
    """``form`` and its scores back-dated to ``when``: a raw update, as the services stamp the
    moment the patient sends a form, and the chart's story is months old."""
    type(form).objects.filter(pk=form.pk).update(submitted_at=when)
    scores = QuestionnaireResponse.objects.filter(
        **{"intake" if isinstance(form, Intake) else "followup": form}
    )
    scores.update(recorded_at=when)


@pytest.fixture
def chart(personas: Any) -> Any:
    """A chart with an intake (complaint; neck 6, right low back 3), a follow-up (neck 2, right
    low back 3, head 4 new), the neck confirmed as the chief complaint, NPRS 7 then 3, two
    posture sessions (shoulders tilted, then level) and a care plan with a re-examination date."""
    intake = submitted_intake(
        personas.clinician,
        personas.patient,
        {
            "complaints": "목이 뻐근하고 두통이 있어요",
            "pain_neck": "6",
            "pain_low_back_right": "3",
            "q_nprs_q1": "7",
        },
        instruments=["nprs"],
    )
    sent_on(intake, datetime(2025, 3, 1, 9, tzinfo=UTC))
    followup = submitted_followup(
        personas.clinician,
        personas.patient,
        ["nprs"],
        {"pain_neck": "2", "pain_low_back_right": "3", "pain_head_face": "4", "q_nprs_q1": "3"},
        language="ko",
    )
    sent_on(followup, datetime(2025, 4, 1, 9, tzinfo=UTC))
    confirm_local_regions(Actor.system(personas.clinician, via="test"), personas.patient, ["neck"])
    tilted = [model_point("left_shoulder", 250, 190), model_point("right_shoulder", 150, 200)]
    level = [model_point("left_shoulder", 250, 200), model_point("right_shoulder", 150, 200)]
    for day, points in ((date(2025, 3, 1), tilted), (date(2025, 4, 1), level)):
        session = posture_session(personas.clinician, personas.patient, day)
        posture_shot(personas.clinician, session, points)
    care_plan(
        personas.clinician,
        personas.patient,
        start_date=date(2025, 3, 1),
        interval_days=7,
        planned_visits=8,
        reexam_dates=["2099-05-01"],
    )
    return personas
