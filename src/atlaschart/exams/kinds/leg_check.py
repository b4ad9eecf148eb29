"""Leg length check (supine, prone, Derefield, cervical syndrome, Prill): which leg is short and
by how much; a post-adjustment check is compared with the visit's pre check of the same type
against the minimal detectable change (``measure.exam.leg_check``, docs/exam.md)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from atlaschart.exams import labels as L
from atlaschart.exams.adapt import Raw, given
from atlaschart.exams.kinds.base import Context, ExamKindSpec
from atlaschart.exams.kinds.form import ExamForm, float_field
from atlaschart.exams.wording import Entered, kv, label, mm, num, only, yes_no
from atlaschart.measure.exam import parse_choice
from atlaschart.measure.exam.leg_check import (
    DEFAULT_MDC_MM,
    MM_PER_EIGHTH_INCH,
    LegCheck,
    LegCheckType,
    ShortSide,
    Timing,
    compare_pre_post,
)

#: Differences smaller than this read as "legs even": the last place shown is 0.01 mm.
LEG_EVEN_BELOW_MM = 0.005


def mdc_mm() -> float:
    """Minimal detectable change for pre/post leg checks; settings.ATLASCHART_LEG_CHECK_MDC_MM."""
    return float(getattr(settings, "ATLASCHART_LEG_CHECK_MDC_MM", 3.74))


class LegCheckForm(ExamForm):
    with_timing = True
    core_fields = {
        "magnitude_mm": "magnitude",
        "entered_value": "magnitude",
        "magnitude_eighths": "magnitude",
    }
    check_type = forms.ChoiceField(label=gettext_lazy("Check"), choices=L.choices(L.CHECK_TYPE))
    short_side = forms.ChoiceField(
        label=gettext_lazy("Short leg (patient's side)"), choices=L.choices(L.SHORT_SIDE)
    )
    magnitude = float_field(label=gettext_lazy("Difference"), min_value=0, required=True)
    unit = forms.ChoiceField(label=gettext_lazy("Unit"), choices=L.choices(L.LEG_UNIT))
    rest_min = float_field(label=gettext_lazy("Minutes of rest before the check"), min_value=0)

    def clean_timing(self) -> str:
        value = self.cleaned_data.get("timing") or ""
        if value not in ("pre", "post"):
            raise forms.ValidationError(
                gettext_lazy("Say whether this check is before or after the adjustment.")
            )
        return value


# ------------------------------------------------------------------------------ derivation


def leg_check(raw: Raw, timing: str) -> LegCheck:
    check_type = parse_choice(LegCheckType, "check_type", raw.get("check_type"))
    short = parse_choice(ShortSide, "short_side", raw.get("short_side"))
    when = parse_choice(Timing, "timing", timing)
    magnitude = given(raw, "magnitude")
    rest = raw.get("rest_min")
    if raw.get("unit") == "eighth_inch":
        if isinstance(magnitude, float) and magnitude.is_integer():
            magnitude = int(magnitude)
        return LegCheck.from_eighths(check_type, short, magnitude, when, rest)
    return LegCheck(check_type, short, magnitude, when, rest)


def derive(raw: Raw, context: Context) -> Raw:
    check = leg_check(raw, context.timing)
    derived: Raw = {
        "magnitude_mm": round(check.magnitude_mm, 3),
        "signed_mm": round(check.signed_mm, 3),
    }
    if context.pre_raw is not None and check.timing is Timing.POST:
        change = compare_pre_post(leg_check(context.pre_raw, "pre"), check, mdc_mm())
        derived.update(
            change_mm=change.change_mm,
            magnitude_change_mm=change.magnitude_change_mm,
            mdc_mm=change.mdc_mm,
            exceeds_mdc=change.exceeds_mdc,
            verdict=change.verdict.value,
            algorithms=[change.algorithm.label],
        )
    return derived


# -------------------------------------------------------------------------------- display


def _magnitude_mm(raw: Raw, derived: Raw) -> float:
    if isinstance(derived.get("magnitude_mm"), int | float):
        return float(derived["magnitude_mm"])
    value = float(raw.get("magnitude") or 0)
    return value * MM_PER_EIGHTH_INCH if raw.get("unit") == "eighth_inch" else value


def leg_result(raw: Raw, derived: Raw) -> str:
    """ "legs even", or which leg is short and by how much, with the unit as entered."""
    magnitude = _magnitude_mm(raw, derived)
    short = raw.get("short_side")
    if short not in ("left", "right") or magnitude < LEG_EVEN_BELOW_MM:
        return _("legs even")
    if raw.get("unit") == "eighth_inch":
        amount = _("%(eighths)s/8 in (%(mm)s)") % {
            "eighths": num(raw.get("magnitude"), 0),
            "mm": mm(magnitude),
        }
    else:
        amount = mm(magnitude)
    if short == "right":
        return _("right leg short by %(amount)s") % {"amount": amount}
    return _("left leg short by %(amount)s") % {"amount": amount}


def leg_change(derived: Raw) -> str:
    """The pre→post change against the MDC, or "" for a check without a comparison."""
    verdict = derived.get("verdict")
    if verdict is None or derived.get("change_mm") is None:
        return ""
    params = {"change": mm(abs(float(derived["change_mm"]))), "mdc": mm(derived.get("mdc_mm"))}
    templates = {
        "within_mdc": _(
            "change from the pre-check %(change)s, within measurement error (MDC %(mdc)s)"
        ),
        "reduced": _(
            "difference reduced: change from the pre-check %(change)s, beyond measurement "
            "error (MDC %(mdc)s)"
        ),
        "increased": _(
            "difference increased: change from the pre-check %(change)s, beyond measurement "
            "error (MDC %(mdc)s)"
        ),
        "side_changed": _(
            "short side changed: change from the pre-check %(change)s, beyond measurement "
            "error (MDC %(mdc)s)"
        ),
    }
    template = templates.get(str(verdict))
    return template % params if template else ""


def summary(raw: Raw, derived: Raw) -> str:
    text = f"{label(L.CHECK_TYPE, raw.get('check_type'))}: {leg_result(raw, derived)}"
    change = leg_change(derived)
    return f"{text}; {change}" if change else text


def entered(raw: Raw, derived: Raw) -> Entered:
    rest = raw.get("rest_min")
    table = kv(
        _("Leg length check"),
        [
            (_("Check"), label(L.CHECK_TYPE, raw.get("check_type"))),
            (_("Result"), capfirst(leg_result(raw, derived))),
            (
                _("Rest before the check"),
                "" if rest is None else _("%(n)s min") % {"n": num(rest, 1)},
            ),
        ],
    )
    return only(table), {"check_type", "short_side", "magnitude", "unit", "rest_min"}


def _mdc_with_source(mdc: object) -> str:
    """The MDC with its source when it is the published one (a clinic may set its own)."""
    if isinstance(mdc, int | float) and abs(mdc - DEFAULT_MDC_MM) < 1e-9:
        return _("%(mdc)s (Cooperstein et al., compressive leg check)") % {"mdc": mm(mdc)}
    return mm(mdc)


def computed(derived: Raw) -> list[tuple[str, str]]:
    rows = []
    if isinstance(derived.get("magnitude_mm"), int | float):
        rows.append((_("Difference in millimetres"), mm(derived["magnitude_mm"])))
    if derived.get("verdict") is not None and derived.get("change_mm") is not None:
        rows += [
            (_("Change from the pre-check"), mm(abs(float(derived["change_mm"])))),
            (_("Minimal detectable change (MDC)"), _mdc_with_source(derived.get("mdc_mm"))),
            (_("Beyond measurement error"), yes_no(derived.get("exceeds_mdc"))),
            (_("Reading"), capfirst(leg_change(derived))),
        ]
    return rows


KIND = ExamKindSpec(
    "leg_check",
    gettext_lazy("Leg length check"),
    LegCheckForm,
    derive,
    summary,
    entered,
    computed,
    pre_post_same=("check_type",),
)
