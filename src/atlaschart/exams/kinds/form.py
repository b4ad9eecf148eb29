"""The form every exam kind's form builds on. ``clean()`` collects the raw inputs and runs them
through the kind's derivation; a rejected value becomes a translated error on the matching
field."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.forms.boundfield import BoundField
from django.utils.translation import gettext_lazy as _

from atlaschart.exams import labels as L
from atlaschart.exams.kinds.base import Context, ExamKindSpec
from atlaschart.exams.messages import as_validation_error
from atlaschart.exams.timing import Timing
from atlaschart.measure.exam import ExamValidationError

SIDE_CHOICES = [("", "—"), ("left", _("Patient's left")), ("right", _("Patient's right"))]


@dataclass
class Grid:
    """Fields laid out as a table: one row per item, one column per side."""

    title: Any
    headers: tuple[Any, ...]
    rows: list[tuple[Any, list[str]]]
    note: Any = ""
    extra: list[str] = field(default_factory=list)  # fields shown above the table
    collapsible: bool = False
    before: str = ""  # shown before this single field (else after all of them)


def float_field(**kwargs: Any) -> forms.FloatField:
    return forms.FloatField(required=kwargs.pop("required", False), **kwargs)


def int_field(**kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(required=kwargs.pop("required", False), **kwargs)


class ExamForm(forms.Form):
    #: The kind this form belongs to (set by its ``ExamKindSpec``).
    spec: ClassVar[ExamKindSpec]
    #: Core attribute name -> form field name, where they differ.
    core_fields: ClassVar[dict[str, str]] = {}
    with_timing: ClassVar[bool] = False

    timing = forms.ChoiceField(label=_("Timing"), choices=Timing.choices, required=False)

    def __init__(
        self,
        *args: Any,
        age_years: int | None = None,
        pre_raw: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.age_years = age_years
        self.pre_raw = pre_raw
        if not self.with_timing:
            del self.fields["timing"]
        self.derived: dict[str, Any] = {}
        self.summary = ""

    #: Grids of this form, in order; fields not in a grid are shown one by one before them.
    def grids(self) -> list[Grid]:
        return []

    def layout(self) -> list[dict[str, Any]]:
        """What the template shows, in order: ``{"field": bound}`` or ``{"grid": ...}``."""
        grids = self.grids()
        in_grid = {n for g in grids for _label, names in g.rows for n in names}
        in_grid.update(n for g in grids for n in g.extra)
        items: list[dict[str, Any]] = [
            {"field": bf} for bf in self.visible_fields() if bf.name not in in_grid
        ]
        for g in grids:
            at = next(
                (
                    i
                    for i, item in enumerate(items)
                    if "field" in item and item["field"].name == g.before
                ),
                len(items),
            )
            rows = [(label, [self[n] for n in names]) for label, names in g.rows]
            bound = [bf for _label, fields in rows for bf in fields]
            used = any(bf.errors or bf.value() not in (None, "", False) for bf in bound)
            items.insert(
                at,
                {
                    "grid": g,
                    "rows": rows,
                    "extra": [self[n] for n in g.extra],
                    "open": not g.collapsible or used,
                },
            )
        return items

    def error_list(self) -> list[tuple[BoundField | None, str]]:
        """Every error, for the summary at the top of a long form."""
        out: list[tuple[BoundField | None, str]] = [(None, str(e)) for e in self.non_field_errors()]
        for bf in self:
            out += [(bf, str(e)) for e in bf.errors]
        return out

    def raw(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "timing"}
        return {k: float(v) if isinstance(v, Decimal) else v for k, v in data.items()}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        try:
            self.derived, self.summary = self.spec.build(
                self.raw(),
                Context(self.age_years, cleaned.get("timing", ""), self.pre_raw),
            )
        except ExamValidationError as err:
            name = self.core_fields.get(err.field, err.field)
            field = self.fields.get(name)
            extra: dict[str, object] = {}
            choices = getattr(field, "choices", None) or getattr(
                getattr(field, "widget", None), "choices", None
            )
            if err.code == "invalid_choice" and choices:
                # Name the choices as the user sees them, not as stored.
                extra["choices"] = ", ".join(str(label) for value, label in choices if value != "")
            if err.code == "grade_not_in_scale":
                extra["scale"] = str(L.REFLEX_SCALE.get(str(err.params.get("scale")), ""))
            if field is not None:
                self.add_error(name, as_validation_error(err, str(field.label), extra))
            else:
                self.add_error(None, as_validation_error(err, None, extra))
        return cleaned
