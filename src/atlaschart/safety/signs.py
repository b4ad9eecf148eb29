"""The clinician signs the screen reads, taken from the patient's latest exams and age."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from atlaschart.exams.models import ExamRecord
from atlaschart.measure.safety.signs import signs_from_blood_pressure, signs_from_umn
from atlaschart.patients.models import Patient


def clinician_signs(patient: Patient) -> dict[str, Any]:
    """Safety-screen sign keys from the latest neuro and blood-pressure exams, and the age."""
    # Called when an exam that feeds the screen is saved (safety/receivers.py); reading the
    # exam records here keeps the translation from exam to screen keys in one place (the core's
    # ``signs`` module).
    signs: dict[str, Any] = {"age_years": float(patient.age_on(timezone.localdate()))}
    neuro = ExamRecord.objects.filter(patient=patient, kind="neuro").first()
    if neuro is not None:
        signs.update(signs_from_umn(neuro.derived.get("umn_signs") or {}))
    bp = ExamRecord.objects.filter(patient=patient, kind="blood_pressure").first()
    if bp is not None:
        sides = ("left", "right")
        signs.update(
            signs_from_blood_pressure(
                (bp.raw.get(f"{s}_systolic") for s in sides),
                (bp.raw.get(f"{s}_diastolic") for s in sides),
            )
        )
    return signs
