"""Exam records made through ``atlaschart.exams.services.record_exam`` (the kind derives its
values and summary from the raw inputs, as the exam form's save does), and the form entries the
exam tests post: a complete, valid entry of each kind.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from atlaschart.lib.actor import Actor

if TYPE_CHECKING:
    from atlaschart.accounts.models import User
    from atlaschart.exams.models import ExamRecord
    from atlaschart.patients.models import Patient
    from atlaschart.visits.models import Visit


def exam(
    by: User,
    patient: Patient,
    kind: str,
    raw: dict[str, Any],
    *,
    timing: str = "",
    visit: Visit | None = None,
) -> ExamRecord:
    """An exam of ``kind`` recorded by ``by`` from its raw inputs (a post record of a kind that
    compares pre with post is compared with ``visit``'s pre record)."""
    from atlaschart.exams.services import record_exam

    return record_exam(
        Actor.system(by, via="test"),
        patient,
        kind,
        raw=raw,
        timing=timing,
        visit_id=visit.pk if visit is not None else None,
    )


# --- form entries ----------------------------------------------------------------------------


def leg(timing: str, side: str, magnitude: Any, unit: str = "mm", check: str = "supine") -> dict:
    """A leg check entry: ``side`` is the short leg ("left", "right" or "even")."""
    return {
        "timing": timing,
        "check_type": check,
        "short_side": side,
        "magnitude": magnitude,
        "unit": unit,
    }


NEURO = {
    "scale": "ninds_0_4",
    "reflex_biceps_left": 2,
    "reflex_biceps_right": 4,
    "hoffmann_left": "negative",
    "hoffmann_right": "positive",
    "myotome_C5_left": "4",
    "myotome_C5_right": "5",
    "myotome_L5_right": "3",
    "sensory_modality": "pinprick",
    "dermatome_C6_right": "reduced",
    "dermatome_S1_left": "absent",
}
"""A neuro exam entry: reflexes, Hoffmann, myotomes and dermatomes on both sides."""

VALID = {
    "cervical_rom": {
        "timing": "pre",
        "method": "goniometer",
        "angle_flexion": 50,
        "angle_rotation_left": 70,
        "pain_rotation_left": "on",
    },
    "romberg": {
        "timing": "pre",
        "surface": "firm",
        "open_held_s": 30,
        "closed_held_s": 12,
        "closed_lost": "on",
    },
    "scoliosis": {
        "adams_positive": "on",
        "hump_side": "right",
        "atr_thoracic": 8,
        "atr_thoracic_side": "right",
    },
    "thermography": {
        "timing": "pre",
        "instrument": "dual_probe",
        "acclimation_min": 20,
        "readings": "C1 0.3\nC2 -0.2",
    },
    "palpation": {"findings": "Tender left C1 transverse process", "tender_levels": "C1"},
}
"""A complete, valid entry of each of these kinds (the form accepts it as it is)."""
