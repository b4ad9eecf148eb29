"""What an exam kind declares, once: its value and label, its form, the derivation of its stored
values from the raw inputs, its one-line summary and its display. The registry
(``exams.kinds``) holds one :class:`ExamKindSpec` per kind; the model's choices, the forms, the
service, the views and the display all look a kind up there."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import translation
from django.utils.functional import Promise

from atlaschart.exams.wording import Entered

if TYPE_CHECKING:
    from atlaschart.exams.kinds.form import ExamForm

Raw = dict[str, Any]


@dataclass(frozen=True)
class Context:
    """What a derivation may use besides the raw inputs: the patient's age on the day, the
    timing (pre/post adjustment) and, for a post check, the raw inputs of its pre check."""

    age_years: int | None = None
    timing: str = ""
    pre_raw: Raw | None = None


def _nothing_computed(derived: Raw) -> list[tuple[str, str]]:
    return []


@dataclass(frozen=True)
class ExamKindSpec:
    value: str
    label: str | Promise
    form: type[ExamForm]
    #: Raw inputs (as the form cleans them) -> derived JSON values; validates through the core
    #: and raises its ``ExamValidationError`` for input the core rejects.
    derive: Callable[[Raw, Context], Raw]
    #: (raw, derived) -> one line for lists, in the current language.
    summary: Callable[[Raw, Raw], str]
    #: (raw, derived) -> the entered values as tables, and the raw keys they show.
    entered: Callable[[Raw, Raw], Entered]
    #: derived -> labelled rows of the computed values (the algorithms row is added for all).
    computed: Callable[[Raw], list[tuple[str, str]]] = _nothing_computed
    #: A post-adjustment record is compared with the visit's latest pre record of the same kind
    #: that has the same values under these raw keys (empty: no comparison).
    pre_post_same: tuple[str, ...] = ()
    #: Its findings are clinician signs of the pre-treatment safety screen (the safety app
    #: re-screens the patient on a new record, through ``exams.hooks.exam_recorded``).
    feeds_safety_screen: bool = False

    def __post_init__(self) -> None:
        # The form runs its kind's derivation to put a rejection on the right field.
        self.form.spec = self

    @property
    def compares_pre_post(self) -> bool:
        return bool(self.pre_post_same)

    def build(self, raw: Raw, context: Context | None = None) -> tuple[Raw, str]:
        """``(derived, summary)`` from the raw inputs. The stored summary is English (for
        exports and logs); pages show ``summary`` in the reader's language."""
        derived = self.derive(raw, context or Context())
        with translation.override("en"):
            return derived, self.summary(raw, derived)
