"""One form per exam kind. ``clean()`` collects the raw inputs and runs them through the core
(``exams.core.build``); a rejected value becomes a translated error on the matching field."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.forms.boundfield import BoundField
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from atlaschart.exams import core
from atlaschart.exams import labels as L
from atlaschart.exams.display import mrc_key, myotome_label
from atlaschart.exams.messages import as_validation_error
from atlaschart.exams.models import ExamKind, Timing
from atlaschart.measure.exam import ExamValidationError
from atlaschart.measure.exam.neuro import DERMATOME_LEVELS, MYOTOME_KEY_MUSCLES
from atlaschart.measure.safety import SCREENING_QUESTIONS

SIDE_CHOICES = [("", "—"), ("left", _("Patient's left")), ("right", _("Patient's right"))]
FINDING_CHOICES = L.choices(L.FINDING, blank=_("Not tested"))
SIDES = ("left", "right")
#: MRC grades offered on the form; the core (``Myotome.mrc_grade``) accepts the whole numbers 0–5.
MRC_CHOICES = [("", "—"), *((str(g), str(g)) for g in L.MRC_GRADE)]


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
            self.derived, self.summary = core.build(
                self.kind,
                self.raw(),
                age_years=self.age_years,
                timing=cleaned.get("timing", ""),
                pre_raw=self.pre_raw,
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


GRADE_HELP = _("NINDS 0–4, or 0–5+ (enter 3 for 3+).")


class NeuroForm(ExamForm):
    kind = "neuro"
    scale = forms.ChoiceField(label=_("Reflex scale"), choices=L.choices(L.REFLEX_SCALE))
    reinforced = forms.BooleanField(label=_("With reinforcement (Jendrassik)"), required=False)
    gait = forms.ChoiceField(
        label=_("Gait"), required=False, choices=L.choices(L.GAIT, blank=_("Not observed"))
    )
    gait_pattern = forms.ChoiceField(
        label=_("Gait pattern"), required=False, choices=L.choices(L.GAIT_PATTERN, blank="—")
    )
    sensory_modality = forms.ChoiceField(
        label=_("Sensation tested with"),
        required=False,
        initial="light_touch",
        choices=L.choices(L.SENSORY_MODALITY),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sides = L.PATIENT_SIDE_IN_TEXT

        def cell(name: str, row_label: Any, side: str, field: forms.Field) -> None:
            field.label = f"{row_label}, {sides[side]}"
            field.widget.attrs["aria-label"] = field.label
            self.fields[name] = field

        for reflex, label in L.REFLEX.items():
            for side in SIDES:
                cell(
                    f"reflex_{reflex}_{side}",
                    label,
                    side,
                    _int(min_value=0, max_value=5, help_text=GRADE_HELP),
                )
        for sign, label in L.PATHOLOGICAL.items():
            for side in SIDES:
                cell(
                    f"{sign}_{side}",
                    label,
                    side,
                    forms.ChoiceField(choices=FINDING_CHOICES, required=False),
                )
        for side in SIDES:
            cell(f"clonus_{side}_beats", _("Ankle clonus beats"), side, _int(min_value=0))
            cell(
                f"clonus_{side}_sustained",
                _("Ankle clonus sustained"),
                side,
                forms.BooleanField(required=False),
            )
        # Myotomes and dermatomes: the core's roots and levels; the values go to the core
        # unchecked here (plain integer / text fields), so the core's rules decide and its
        # message is the one shown.
        for root in MYOTOME_KEY_MUSCLES:
            for side in SIDES:
                cell(
                    core.myotome_key(root, side),
                    myotome_label(root),
                    side,
                    _int(widget=forms.Select(choices=MRC_CHOICES)),
                )
        sensation = L.choices(L.SENSATION, blank=_("Not tested"))
        for level in DERMATOME_LEVELS:
            for side in SIDES:
                cell(
                    core.dermatome_key(level, side),
                    level,
                    side,
                    forms.CharField(
                        required=False, max_length=32, widget=forms.Select(choices=sensation)
                    ),
                )

    def grids(self) -> list[Grid]:
        sides = (L.PATIENT_SIDE["left"], L.PATIENT_SIDE["right"])
        return [
            Grid(
                _("Deep tendon reflexes"),
                (_("Reflex"), *sides),
                [(label, [f"reflex_{r}_{s}" for s in SIDES]) for r, label in L.REFLEX.items()],
                GRADE_HELP,
                before="gait",
            ),
            Grid(
                _("Pathological reflexes"),
                (_("Sign"), *sides),
                [(label, [f"{p}_{s}" for s in SIDES]) for p, label in L.PATHOLOGICAL.items()],
                before="gait",
            ),
            Grid(
                _("Clonus"),
                ("", *sides),
                [
                    (_("Ankle clonus beats"), [f"clonus_{s}_beats" for s in SIDES]),
                    (_("Ankle clonus sustained"), [f"clonus_{s}_sustained" for s in SIDES]),
                ],
                before="gait",
            ),
            Grid(
                _("Myotomes (key muscle strength)"),
                (_("Root (key muscle)"), *sides),
                [
                    (myotome_label(root), [core.myotome_key(root, s) for s in SIDES])
                    for root in MYOTOME_KEY_MUSCLES
                ],
                f"{L.MRC_SCALE_NAME}: {mrc_key()}. {_('Leave blank what was not tested.')}",
                collapsible=True,
            ),
            Grid(
                _("Dermatomes (sensation)"),
                (_("Level"), *sides),
                [
                    (level, [core.dermatome_key(level, s) for s in SIDES])
                    for level in DERMATOME_LEVELS
                ],
                _("Leave blank what was not tested."),
                extra=["sensory_modality"],
                collapsible=True,
            ),
        ]

    def raw(self) -> dict[str, Any]:
        """As entered; untested myotomes and dermatomes are left out rather than stored empty."""
        data = super().raw()
        for key in [k for k in data if k.startswith(("myotome_", "dermatome_"))]:
            if data[key] in (None, ""):
                del data[key]
        if not any(k.startswith("dermatome_") for k in data):
            data.pop("sensory_modality", None)
        return data


class LegCheckForm(ExamForm):
    kind = "leg_check"
    with_timing = True
    core_fields = {
        "magnitude_mm": "magnitude",
        "entered_value": "magnitude",
        "magnitude_eighths": "magnitude",
    }
    check_type = forms.ChoiceField(label=_("Check"), choices=L.choices(L.CHECK_TYPE))
    short_side = forms.ChoiceField(
        label=_("Short leg (patient's side)"), choices=L.choices(L.SHORT_SIDE)
    )
    magnitude = _float(label=_("Difference"), min_value=0, required=True)
    unit = forms.ChoiceField(label=_("Unit"), choices=L.choices(L.LEG_UNIT))
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
    method = forms.ChoiceField(label=_("Method"), choices=L.choices(L.ROM_METHOD))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in L.MOVEMENT.items():
            self.fields[f"angle_{name}"] = _float(label=f"{label} (°)")
            self.fields[f"pain_{name}"] = forms.BooleanField(
                label=f"{label}: {_('painful')}", required=False
            )
        self.core_fields = {"angle_deg": "angle_flexion"}


class RombergForm(ExamForm):
    kind = "romberg"
    with_timing = True
    core_fields = {"held_s": "open_held_s"}
    surface = forms.ChoiceField(label=_("Surface"), choices=L.choices(L.SURFACE))
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
        for name, label in L.SPINE_REGION.items():
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
    instrument = forms.ChoiceField(label=_("Instrument"), choices=L.choices(L.INSTRUMENT))
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
