"""The form of each exam kind, by the kind's stored value (from the registry, ``exams.kinds``).
The forms themselves are declared in each kind's module; their common base is
``exams.kinds.form.ExamForm``."""

from __future__ import annotations

from atlaschart.exams.kinds import KINDS
from atlaschart.exams.kinds.form import ExamForm

FORMS: dict[str, type[ExamForm]] = {value: spec.form for value, spec in KINDS.items()}
