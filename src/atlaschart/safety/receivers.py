"""The safety app's reactions to other apps' records (connected in ``SafetyConfig.ready``)."""

from __future__ import annotations

from typing import Any

from atlaschart.exams.kinds import find
from atlaschart.exams.models import ExamRecord
from atlaschart.lib.actor import Actor
from atlaschart.safety.services import rescreen_with_entries
from atlaschart.safety.signs import clinician_signs


def rescreen_after_exam(sender: Any, *, actor: Actor, record: ExamRecord, **kwargs: Any) -> None:
    """Upper motor neuron signs and blood pressure feed the safety screen: a new screen from the
    latest answers with these signs laid over them (in the exam's own transaction)."""
    spec = find(record.kind)
    if spec is not None and spec.feeds_safety_screen:
        rescreen_with_entries(actor, record.patient, clinician_signs(record.patient))
