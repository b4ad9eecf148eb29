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
from tests.factories.posture import posture_session, posture_shot

from atlaschart.intake.models import (
    FollowUp,
    Intake,
    IntakeLink,
    LinkKind,
    LocalRegions,
    QuestionnaireResponse,
)
from atlaschart.measure.instruments import INSTRUMENTS, score
from atlaschart.visits.models import CarePlan


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
    instrument = INSTRUMENTS["nprs"]
    result = score(instrument, {"q1": value})
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


@pytest.fixture
def chart(personas: Any) -> Any:
    """A chart with an intake (complaint; neck 6, right low back 3), a follow-up (neck 2, right
    low back 3, head 4 new), the neck confirmed as the chief complaint, NPRS 7 then 3, two
    posture sessions (shoulders tilted, then level) and a care plan with a re-examination date."""
    link = IntakeLink.objects.create(
        clinic=personas.seoul,
        patient=personas.patient,
        token_hash="a" * 64,
        expires_at=datetime(2030, 1, 1, tzinfo=UTC),
        created_by=personas.clinician,
    )
    Intake.objects.create(
        clinic=personas.seoul,
        patient=personas.patient,
        link=link,
        submitted_at=datetime(2025, 3, 1, 9, tzinfo=UTC),
        language="ko",
        answers={
            "complaints": "목이 뻐근하고 두통이 있어요",
            "pain_neck": "6",
            "pain_low_back_right": "3",
        },
        consent_personal=True,
        consent_health=True,
    )
    followup_link = IntakeLink.objects.create(
        clinic=personas.seoul,
        patient=personas.patient,
        token_hash="b" * 64,
        kind=LinkKind.FOLLOWUP,
        expires_at=datetime(2030, 1, 1, tzinfo=UTC),
        created_by=personas.clinician,
    )
    FollowUp.objects.create(
        clinic=personas.seoul,
        patient=personas.patient,
        link=followup_link,
        submitted_at=datetime(2025, 4, 1, 9, tzinfo=UTC),
        language="ko",
        answers={"pain_neck": "2", "pain_low_back_right": "3", "pain_head_face": "4"},
    )
    LocalRegions.objects.create(
        clinic=personas.seoul,
        patient=personas.patient,
        regions=["neck"],
        confirmed_by=personas.clinician,
    )
    nprs(personas, 7, datetime(2025, 3, 1, 9, tzinfo=UTC))
    nprs(personas, 3, datetime(2025, 4, 1, 9, tzinfo=UTC))
    tilted = [model_point("left_shoulder", 250, 190), model_point("right_shoulder", 150, 200)]
    level = [model_point("left_shoulder", 250, 200), model_point("right_shoulder", 150, 200)]
    for day, points in ((date(2025, 3, 1), tilted), (date(2025, 4, 1), level)):
        session = posture_session(personas.clinician, personas.patient, day)
        posture_shot(personas.clinician, session, points)
    CarePlan.objects.create(
        patient=personas.patient,
        start_date=date(2025, 3, 1),
        interval_days=7,
        planned_visits=8,
        reexam_dates=["2099-05-01"],
        created_by=personas.clinician,
    )
    return personas
