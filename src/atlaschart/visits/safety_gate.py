"""The visits side of the signing gate: which technique class a treatment is, nothing more.

The decision itself is the core's pure function (``atlaschart.measure.safety.gate.decide``),
read from the stored screen by ``atlaschart.safety.services.gate``; this module only classifies
the treatment (``techniques.is_thrust``: the clinic's thrust table) and asks.
"""

from __future__ import annotations

from collections.abc import Callable

from atlaschart.measure.safety.gate import TechniqueClass
from atlaschart.patients.models import Patient
from atlaschart.safety import services as safety
from atlaschart.visits.techniques import is_thrust


def technique_class(technique: str, kind: str) -> TechniqueClass:
    if kind == "injection":
        return TechniqueClass.NOT_MANUAL
    return TechniqueClass.THRUST if is_thrust(technique) else TechniqueClass.LOW_FORCE


def signing_block_reason(
    patient: Patient, technique: str, kind: str = "uc_adjustment"
) -> str | None:
    """None if a treatment with this technique may be signed now, else why not (translated)."""
    return safety.signing_block_reason(patient, technique_class(technique, kind))


def signing_block_reasons(patient: Patient) -> Callable[..., str | None]:
    """``signing_block_reason`` for one patient, asking the safety app once per technique class:
    a visit page with many treatments reads the screen at most once a class, not once a row."""
    asked: dict[TechniqueClass, str | None] = {}

    def reason(technique: str, kind: str = "uc_adjustment") -> str | None:
        cls = technique_class(technique, kind)
        if cls not in asked:
            asked[cls] = safety.signing_block_reason(patient, cls)
        return asked[cls]

    return reason
