"""One form per exam kind. ``clean()`` collects the raw inputs and runs them through the core
(``exams.core.build``); a rejected value becomes a translated error on the matching field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from atlaschart.exams import core
from atlaschart.exams.messages import as_validation_error
from atlaschart.exams.models import ExamKind, Timing
from atlaschart.measure.exam import ExamValidationError
from atlaschart.measure.safety import SCREENING_QUESTIONS

SIDE_CHOICES = [("", "—"), ("left", _("Left")), ("right", _("Right"))]
FINDING_CHOICES = [("", _("Not tested")), ("negative", _("Negative")), ("positive", _("Positive"))]


def _float(**kwargs: Any) -> forms.FloatField:
    return forms.FloatField(required=kwargs.pop("required", False), **kwargs)


def _int(**kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(required=kwargs.pop("required", False), **kwargs)


class ExamForm(forms.Form):
    kind: ClassVar[str] = ""
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

    def raw(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "timing"}
        return {k: float(v) if isinstance(v, Decimal) else v for k, v in data.items()}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        try:
            self.derived, self.summary = core.build(
                self.kind,
                self.raw(),
                age_years=self.age_years,
                timing=cleaned.get("timing", ""),
                pre_raw=self.pre_raw,
            )
        except ExamValidationError as err:
            name = self.core_fields.get(err.field, err.field)
            if name in self.fields:
                self.add_error(name, as_validation_error(err, str(self.fields[name].label)))
            else:
                self.add_error(None, as_validation_error(err))
        return cleaned


GRADE_HELP = _("NINDS 0–4, or 0–5+ (enter 3 for 3+).")


class NeuroForm(ExamForm):
    kind = "neuro"
    scale = forms.ChoiceField(
        label=_("Reflex scale"),
        choices=[("ninds_0_4", _("NINDS 0–4")), ("plus_0_5", _("0–5+"))],
    )
    reinforced = forms.BooleanField(label=_("With reinforcement (Jendrassik)"), required=False)
    gait = forms.ChoiceField(
        label=_("Gait"),
        required=False,
        choices=[("", _("Not observed")), ("normal", _("Normal")), ("abnormal", _("Abnormal"))],
    )
    gait_pattern = forms.ChoiceField(
        label=_("Gait pattern"),
        required=False,
        choices=[
            ("", "—"),
            ("spastic", _("Spastic")),
            ("ataxic", _("Ataxic")),
            ("antalgic", _("Antalgic")),
            ("steppage", _("Steppage")),
            ("trendelenburg", _("Trendelenburg")),
            ("shuffling", _("Shuffling")),
            ("other", _("Other")),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reflexes = [
            ("biceps", _("Biceps (C5–6)")),
            ("brachioradialis", _("Brachioradialis (C5–6)")),
            ("triceps", _("Triceps (C7–8)")),
            ("patellar", _("Patellar (L2–4)")),
            ("achilles", _("Achilles (S1–2)")),
        ]
        sides = [("left", _("left")), ("right", _("right"))]
        for name, label in reflexes:
            for side, side_label in sides:
                self.fields[f"reflex_{name}_{side}"] = _int(
                    label=f"{label}, {side_label}", min_value=0, max_value=5, help_text=GRADE_HELP
                )
        signs = [
            ("hoffmann", _("Hoffmann")),
            ("babinski", _("Babinski")),
            ("inverted_supinator", _("Inverted supinator")),
        ]
        for name, label in signs:
            for side, side_label in sides:
                self.fields[f"{name}_{side}"] = forms.ChoiceField(
                    label=f"{label}, {side_label}", choices=FINDING_CHOICES, required=False
                )
        for side, side_label in sides:
            self.fields[f"clonus_{side}_beats"] = _int(
                label=f"{_('Ankle clonus beats')}, {side_label}", min_value=0
            )
            self.fields[f"clonus_{side}_sustained"] = forms.BooleanField(
                label=f"{_('Ankle clonus sustained')}, {side_label}", required=False
            )


class LegCheckForm(ExamForm):
    kind = "leg_check"
    with_timing = True
    core_fields = {
        "magnitude_mm": "magnitude",
        "entered_value": "magnitude",
        "magnitude_eighths": "magnitude",
    }
    check_type = forms.ChoiceField(
        label=_("Check"),
        choices=[
            ("supine", _("Supine")),
            ("prone_extended", _("Prone, knees extended")),
            ("prone_knees_flexed", _("Prone, knees flexed (Derefield)")),
            ("cervical_syndrome_head_right", _("Cervical syndrome test, head turned right")),
            ("cervical_syndrome_head_left", _("Cervical syndrome test, head turned left")),
            ("prill", _("Prill")),
        ],
    )
    short_side = forms.ChoiceField(
        label=_("Short leg"),
        choices=[("right", _("Right")), ("left", _("Left")), ("even", _("Even"))],
    )
    magnitude = _float(label=_("Difference"), min_value=0, required=True)
    unit = forms.ChoiceField(
        label=_("Unit"), choices=[("mm", _("mm")), ("eighth_inch", _("⅛ inch"))]
    )
    rest_min = _float(label=_("Minutes of rest before the check"), min_value=0)

    def clean_timing(self) -> str:
        value = self.cleaned_data.get("timing") or ""
        if value not in ("pre", "post"):
            raise forms.ValidationError(
                _("Say whether this check is before or after the adjustment.")
            )
        return value


class CervicalRomForm(ExamForm):
    kind = "cervical_rom"
    with_timing = True
    method = forms.ChoiceField(
        label=_("Method"),
        choices=[
            ("visual", _("Visual estimate")),
            ("goniometer", _("Goniometer")),
            ("inclinometer", _("Inclinometer")),
            ("crom_device", _("CROM device")),
            ("other", _("Other")),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        movements = [
            ("flexion", _("Flexion")),
            ("extension", _("Extension")),
            ("lateral_flexion_left", _("Lateral flexion left")),
            ("lateral_flexion_right", _("Lateral flexion right")),
            ("rotation_left", _("Rotation left")),
            ("rotation_right", _("Rotation right")),
        ]
        for name, label in movements:
            self.fields[f"angle_{name}"] = _float(label=f"{label} (°)")
            self.fields[f"pain_{name}"] = forms.BooleanField(
                label=f"{label}: {_('painful')}", required=False
            )
        self.core_fields = {"angle_deg": "angle_flexion"}


class RombergForm(ExamForm):
    kind = "romberg"
    with_timing = True
    core_fields = {"held_s": "open_held_s"}
    surface = forms.ChoiceField(
        label=_("Surface"), choices=[("firm", _("Firm")), ("foam", _("Foam"))]
    )
    open_held_s = _float(label=_("Eyes open: seconds held"), required=True)
    open_lost = forms.BooleanField(label=_("Eyes open: lost balance"), required=False)
    closed_held_s = _float(label=_("Eyes closed: seconds held"), required=True)
    closed_lost = forms.BooleanField(label=_("Eyes closed: lost balance"), required=False)


class FukudaForm(ExamForm):
    kind = "fukuda"
    with_timing = True
    steps = _int(label=_("Steps"), initial=50, required=True)
    rotation_deg = _float(label=_("Rotation (°)"), required=True)
    direction = forms.ChoiceField(label=_("Turned to"), choices=SIDE_CHOICES, required=False)
    displacement_cm = _float(label=_("Displacement (cm)"), required=True)


class ScoliosisForm(ExamForm):
    kind = "scoliosis"
    adams_positive = forms.BooleanField(
        label=_("Adam's forward bend test positive"), required=False
    )
    hump_side = forms.ChoiceField(label=_("Hump side"), choices=SIDE_CHOICES, required=False)
    core_fields = {"atr_deg": "atr_thoracic", "side": "atr_thoracic_side"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in [
            ("thoracic", _("Thoracic")),
            ("thoracolumbar", _("Thoracolumbar")),
            ("lumbar", _("Lumbar")),
        ]:
            self.fields[f"atr_{name}"] = _float(label=f"{label}: {_('scoliometer ATR (°)')}")
            self.fields[f"atr_{name}_side"] = forms.ChoiceField(
                label=f"{label}: {_('side')}", choices=SIDE_CHOICES, required=False
            )


class BloodPressureForm(ExamForm):
    kind = "blood_pressure"
    left_systolic = _int(label=_("Left arm systolic (mmHg)"))
    left_diastolic = _int(label=_("Left arm diastolic (mmHg)"))
    left_pulse = _int(label=_("Left arm pulse (/min)"))
    right_systolic = _int(label=_("Right arm systolic (mmHg)"))
    right_diastolic = _int(label=_("Right arm diastolic (mmHg)"))
    right_pulse = _int(label=_("Right arm pulse (/min)"))
    core_fields = {
        "systolic_mmhg": "left_systolic",
        "diastolic_mmhg": "left_diastolic",
        "pulse_bpm": "left_pulse",
        "left": "left_systolic",
    }


class PalpationForm(ExamForm):
    kind = "palpation"
    findings = forms.CharField(
        label=_("Findings"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )
    tender_levels = forms.CharField(label=_("Tender levels"), required=False, max_length=200)


class ThermographyForm(ExamForm):
    kind = "thermography"
    with_timing = True
    core_fields = {"level": "readings", "differential_c": "readings"}
    instrument = forms.ChoiceField(
        label=_("Instrument"),
        choices=[
            ("dual_probe", _("Dual probe")),
            ("infrared_scanner", _("Infrared scanner")),
            ("other", _("Other")),
        ],
    )
    acclimation_min = _float(label=_("Acclimation (minutes)"))
    readings = forms.CharField(
        label=_("Readings"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=4000,
        help_text=_("One level per line: level and left − right difference in °C, e.g. “C1 0.3”."),
    )


class SafetyScreenForm(ExamForm):
    """The red-flag items of ``measure.safety`` (wording in English and Korean comes from there).

    Clinician signs (UMN signs, blood pressure, age) are not asked here: the gate takes them from
    the latest neuro and blood-pressure exams and the date of birth."""

    kind = "safety_screen"
    KINDS = ("yes-no", "timing", "yes-no-na", "risk-factors", "number")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lang = "ko" if (get_language() or "").startswith("ko") else "en"
        for q in SCREENING_QUESTIONS:
            label = q.text[lang]
            if q.kind == "risk-factors":
                # "None of these" is a choice of its own, so an unanswered item stays unanswered.
                self.fields[q.id] = forms.MultipleChoiceField(
                    label=label,
                    required=not q.asked_when,
                    widget=forms.CheckboxSelectMultiple,
                    choices=[(_encode(c.value), c.text[lang]) for c in q.choices],
                )
            elif q.kind == "number":
                self.fields[q.id] = _float(label=label)
            else:
                self.fields[q.id] = forms.ChoiceField(
                    label=label,
                    required=not q.asked_when,
                    choices=[("", "—"), *[(_encode(c.value), c.text[lang]) for c in q.choices]],
                )

    def raw(self) -> dict[str, Any]:
        answers: dict[str, Any] = {}
        for q in SCREENING_QUESTIONS:
            value = self.cleaned_data.get(q.id)
            if value in (None, "", []):
                continue
            if q.kind == "risk-factors":
                factors = [v for v in value if v != "false"]
                answers[q.id] = factors or False
            else:
                answers[q.id] = _decode(value)
        return answers


def _encode(value: str | bool) -> str:
    return {True: "true", False: "false"}.get(value, value) if isinstance(value, bool) else value


def _decode(value: Any) -> Any:
    return {"true": True, "false": False}.get(value, value) if isinstance(value, str) else value


FORMS: dict[str, type[ExamForm]] = {
    ExamKind.NEURO: NeuroForm,
    ExamKind.LEG_CHECK: LegCheckForm,
    ExamKind.CERVICAL_ROM: CervicalRomForm,
    ExamKind.ROMBERG: RombergForm,
    ExamKind.FUKUDA: FukudaForm,
    ExamKind.SCOLIOSIS: ScoliosisForm,
    ExamKind.BLOOD_PRESSURE: BloodPressureForm,
    ExamKind.PALPATION: PalpationForm,
    ExamKind.THERMOGRAPHY: ThermographyForm,
    ExamKind.SAFETY_SCREEN: SafetyScreenForm,
}
