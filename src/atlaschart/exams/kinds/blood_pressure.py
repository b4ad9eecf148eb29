"""Blood pressure in both arms: flags a pressure of 180/110 mmHg or above and an inter-arm
systolic difference above 20 mmHg, both safety-screen signs (``measure.exam.blood_pressure``)."""

from __future__ import annotations

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from atlaschart.exams.adapt import Raw
from atlaschart.exams.kinds.base import Context, ExamKindSpec
from atlaschart.exams.kinds.form import ExamForm, int_field
from atlaschart.exams.wording import Entered, Table, yes_no
from atlaschart.measure.exam import ExamValidationError
from atlaschart.measure.exam.blood_pressure import (
    BP_FLAGS,
    BilateralBloodPressure,
    BloodPressure,
    blood_pressure_flags,
)


class BloodPressureForm(ExamForm):
    left_systolic = int_field(label=gettext_lazy("Left arm systolic (mmHg)"))
    left_diastolic = int_field(label=gettext_lazy("Left arm diastolic (mmHg)"))
    left_pulse = int_field(label=gettext_lazy("Left arm pulse (/min)"))
    right_systolic = int_field(label=gettext_lazy("Right arm systolic (mmHg)"))
    right_diastolic = int_field(label=gettext_lazy("Right arm diastolic (mmHg)"))
    right_pulse = int_field(label=gettext_lazy("Right arm pulse (/min)"))
    core_fields = {
        "systolic_mmhg": "left_systolic",
        "diastolic_mmhg": "left_diastolic",
        "pulse_bpm": "left_pulse",
        "left": "left_systolic",
    }


def _arm(raw: Raw, side: str) -> BloodPressure | None:
    systolic, diastolic = raw.get(f"{side}_systolic"), raw.get(f"{side}_diastolic")
    if systolic is None and diastolic is None:
        return None
    if systolic is None:
        raise ExamValidationError("required", f"{side}_systolic")
    if diastolic is None:
        raise ExamValidationError("required", f"{side}_diastolic")
    return BloodPressure(systolic, diastolic, raw.get(f"{side}_pulse"))


def blood_pressure(raw: Raw) -> BilateralBloodPressure:
    return BilateralBloodPressure(_arm(raw, "left"), _arm(raw, "right"))


def derive(raw: Raw, context: Context) -> Raw:
    flags = blood_pressure_flags(blood_pressure(raw))
    return {
        "bp_high": flags.bp_high,
        "inter_arm_difference": flags.inter_arm_difference,
        "inter_arm_systolic_mmhg": flags.inter_arm_systolic_mmhg,
        "algorithms": [BP_FLAGS.label],
    }


def summary(raw: Raw, derived: Raw) -> str:
    arms = [
        _("%(arm)s %(systolic)s/%(diastolic)s mmHg")
        % {
            "arm": text,
            "systolic": raw.get(f"{side}_systolic"),
            "diastolic": raw.get(f"{side}_diastolic"),
        }
        for side, text in (("left", _("left arm")), ("right", _("right arm")))
        if raw.get(f"{side}_systolic") is not None
    ]
    return capfirst(" · ".join(arms))


def entered(raw: Raw, derived: Raw) -> Entered:
    rows = []
    used = set()
    for side, text in (("left", _("Patient's left arm")), ("right", _("Patient's right arm"))):
        keys = [f"{side}_systolic", f"{side}_diastolic", f"{side}_pulse"]
        used.update(keys)
        systolic, diastolic, pulse = (raw.get(k) for k in keys)
        if systolic is None and diastolic is None:
            continue
        rows.append(
            (
                text,
                f"{systolic}/{diastolic} mmHg",
                "—" if pulse is None else _("%(n)s /min") % {"n": pulse},
            )
        )
    table = Table(_("Blood pressure"), tuple(rows), (_("Arm"), _("Pressure"), _("Pulse")))
    return ([table] if rows else []), used


def computed(derived: Raw) -> list[tuple[str, str]]:
    diff = derived.get("inter_arm_systolic_mmhg")
    return [
        (_("High blood pressure (180/110 mmHg or above)"), yes_no(derived.get("bp_high"))),
        (
            _("Inter-arm systolic difference (left − right)"),
            "—" if diff is None else f"{diff:+d} mmHg" if isinstance(diff, int) else str(diff),
        ),
        (
            _("Inter-arm difference above 20 mmHg"),
            yes_no(derived.get("inter_arm_difference"), _("Needs both arms")),
        ),
    ]


KIND = ExamKindSpec(
    "blood_pressure",
    gettext_lazy("Blood pressure, both arms"),
    BloodPressureForm,
    derive,
    summary,
    entered,
    computed,
    feeds_safety_screen=True,
)
