"""Field helpers the visits forms share: dates and times within the supported years, the
clinic's clinicians, an appointment's length."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from atlaschart.accounts.models import Role, User
from atlaschart.visits.models import (
    DEFAULT_MINUTES,
    FIRST_YEAR,
    LAST_YEAR,
    AppointmentKind,
)

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]

FieldT = TypeVar("FieldT", bound=forms.Field)


def field_of(fields: Mapping[str, forms.Field], name: str, kind: type[FieldT]) -> FieldT:
    """The field ``name`` of a form's ``fields`` (or ``base_fields``) as the class it is declared
    with, to set its queryset or choices; a field of another class is a mistake in the form."""
    field = fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{name} is a {type(field).__name__}, not a {kind.__name__}")
    return field


def within_years(value: date) -> None:
    """Refuse dates (and times) outside FIRST_YEAR..LAST_YEAR before any arithmetic on them:
    9999-12-31T23:59 plus a slot length, or 0001-01-01 in UTC, overflows Python's datetime."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValidationError(
            _("Enter a date between %(first)s and %(last)s."),
            code="out_of_range",
            params={"first": FIRST_YEAR, "last": LAST_YEAR},
        )


def datetime_field(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=DATETIME_FORMATS,
        validators=[within_years],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


def date_field(label: Any, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        validators=[within_years],
        widget=forms.DateInput(attrs={"type": "date"}),
        **kwargs,
    )


def clinicians_of(clinic_id: int) -> Any:
    return User.objects.filter(
        clinic_id=clinic_id, is_active=True, role__in=[Role.CLINICIAN, Role.CLINIC_ADMIN]
    )


def minutes_field() -> forms.IntegerField:
    usual = ", ".join(
        f"{AppointmentKind(kind).label} {minutes}" for kind, minutes in DEFAULT_MINUTES.items()
    )
    return forms.IntegerField(
        label=_("Length (minutes)"),
        min_value=5,
        max_value=480,
        required=False,
        help_text=_("Empty: the usual length of the type (%(usual)s minutes).") % {"usual": usual},
    )
