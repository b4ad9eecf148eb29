"""Clinical examination values and rules: pure, validated, Django-free.

Modules: ``neuro`` (reflexes, UMN signs, Cook cluster), ``leg_check``, ``cervical_rom``,
``balance`` (Romberg, Fukuda), ``scoliosis``, ``blood_pressure``, ``thermography``,
``adverse_event``. Every rejected value raises :class:`ExamValidationError`; see docs/exam.md.
"""

from atlaschart.measure.exam._validate import Side, parse_choice
from atlaschart.measure.exam.errors import MESSAGES, ExamValidationError

__all__ = ["MESSAGES", "ExamValidationError", "Side", "parse_choice"]
