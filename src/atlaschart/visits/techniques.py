"""Treatment techniques: which ones are thrust techniques (for the safety gate), and the
structured fields each technique's record takes, with units and plausible ranges.

The thrust classification decides what an ``H`` safety finding blocks (H blocks high-velocity
thrust only; see docs/visits.md). It is a clinic policy table, not a law of nature: edit
``TECHNIQUES`` (or override ``settings.ATLASCHART_THRUST_TECHNIQUES`` with a list of codes) and
document the change in docs/visits.md.

* HIO/toggle-recoil, knee-chest and "other thrust" deliver a high-velocity impulse: thrust.
* NUCCA, Atlas Orthogonal (instrument), Blair and Orthospinology are low-force or instrument
  adjustments: non-thrust here. A clinic that treats Blair's hand adjustment as a thrust should
  move it.

Field values are stored in ``Treatment.technique_settings`` (JSON) under the keys below. The
orthogonal techniques measure in quarter degrees (Orthospinology analyses "to 0.25°"; NUCCA
films are read in ¼° steps), so their angles accept steps of 0.25°. Before these forms, settings
were typed as "name = number" lines and stored under the same keys; keys that no technique uses
any more are named in ``EARLIER_SETTINGS`` so those records still read in words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

Label = StrOrPromise


def plain_number(value: Any) -> str:
    """12.0 -> "12", Decimal("10.000") -> "10", 0.25 -> "0.25" (never exponent notation)."""
    text = format(Decimal(str(value)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True)
class Setting:
    """One numeric field: its label, unit, inclusive range and the step values come in."""

    label: Label
    unit: str
    lo: float
    hi: float
    step: float | None = None

    def display(self, value: Any) -> str:
        text = plain_number(value)
        return f"{text}{self.unit}" if self.unit in ("°",) else f"{text} {self.unit}".strip()


@dataclass(frozen=True)
class Choice:
    """One field chosen from a list: (stored value, label) pairs."""

    label: Label
    options: tuple[tuple[str, Label], ...]
    required: bool = False

    def display(self, value: Any) -> str:
        return str(dict(self.options).get(str(value), gettext("unknown")))


Field = Setting | Choice


@dataclass(frozen=True)
class Technique:
    label: Label
    thrust: bool
    settings: dict[str, Field] = field(default_factory=dict)
    #: Upper cervical techniques are written with a listing (e.g. ASRp) and a contact side.
    listing: bool = True


QUARTER = 0.25
LEFT_RIGHT: tuple[tuple[str, Label], ...] = (("left", _("left")), ("right", _("right")))

_LATERAL = Setting(_("Lateral vector (°)"), "°", 0, 45, QUARTER)
_ROTATION = Setting(_("Rotation vector (°)"), "°", 0, 45, QUARTER)
_ROTATION_DIRECTION = Choice(
    _("Rotation direction"), (("anterior", _("anterior")), ("posterior", _("posterior")))
)
_HEAD_TILT = Setting(_("Head-tilt correction (°)"), "°", 0, 20, QUARTER)
_HEAD_TILT_SIDE = Choice(_("Head-tilt correction toward"), LEFT_RIGHT)
_HEAD_PIECE = Setting(_("Head-piece angle (°)"), "°", -30, 30, QUARTER)
_CONTACT_ANGLE = Setting(_("Contact angle (°)"), "°", 0, 90, QUARTER)

_ORTHOGONAL: dict[str, Field] = {
    "lateral_vector_deg": _LATERAL,
    "rotation_vector_deg": _ROTATION,
    "rotation_direction": _ROTATION_DIRECTION,
    "head_tilt_correction_deg": _HEAD_TILT,
    "head_tilt_side": _HEAD_TILT_SIDE,
}

TECHNIQUES: dict[str, Technique] = {
    "nucca": Technique(
        _("NUCCA"), thrust=False, settings={**_ORTHOGONAL, "head_piece_deg": _HEAD_PIECE}
    ),
    "atlas_orthogonal": Technique(
        _("Atlas Orthogonal"),
        thrust=False,
        settings={
            "lateral_vector_deg": Setting(
                _("Instrument vector, frontal plane (°)"), "°", 0, 45, QUARTER
            ),
            "anterior_posterior_vector_deg": Setting(
                _("Instrument vector, horizontal plane (°)"), "°", 0, 45, QUARTER
            ),
            "table_angle_deg": Setting(_("Instrument angle to the table (°)"), "°", 0, 90, QUARTER),
            "stylus_depth_mm": Setting(_("Stylus depth (mm)"), "mm", 0, 20, 0.5),
            "instrument_force_setting": Setting(_("Instrument force (dial 0–10)"), "", 0, 10, 0.5),
        },
    ),
    "blair": Technique(
        _("Blair"),
        thrust=False,
        settings={"contact_angle_deg": _CONTACT_ANGLE, "head_piece_deg": _HEAD_PIECE},
    ),
    "orthospinology": Technique(_("Orthospinology"), thrust=False, settings=dict(_ORTHOGONAL)),
    "knee_chest": Technique(
        _("Knee-Chest"), thrust=True, settings={"contact_angle_deg": _CONTACT_ANGLE}
    ),
    "hio_toggle": Technique(
        _("HIO / toggle-recoil"),
        thrust=True,
        settings={
            "drop_piece_tension": Setting(_("Drop-piece tension (dial 0–10)"), "", 0, 10, 0.5)
        },
    ),
    "other_thrust": Technique(_("Other (thrust)"), thrust=True),
    "other_non_thrust": Technique(_("Other (non-thrust)"), thrust=False),
}

REGIONS: tuple[tuple[str, Label], ...] = (
    ("cervical", _("neck (cervical)")),
    ("thoracic", _("upper and mid back (thoracic)")),
    ("lumbar", _("low back (lumbar)")),
    ("sacroiliac", _("pelvis and sacroiliac joints")),
    ("shoulder", _("shoulder")),
    ("arm", _("elbow, wrist and hand")),
    ("hip", _("hip")),
    ("leg", _("knee, ankle and foot")),
    ("jaw", _("jaw (temporomandibular)")),
)
_MANUAL: dict[str, Field] = {
    "region": Choice(_("Region"), REGIONS, required=True),
    "minutes": Setting(_("Duration (min)"), "min", 1, 120, 1),
}

#: Other manual therapy: spinal manipulation is a thrust; mobilisation and soft tissue are not.
MANUAL_THERAPY = {
    "manipulation": Technique(
        _("Spinal manipulation (thrust)"), thrust=True, settings=_MANUAL, listing=False
    ),
    "mobilisation": Technique(_("Mobilisation"), thrust=False, settings=_MANUAL, listing=False),
    "soft_tissue": Technique(
        _("Soft tissue / myofascial"), thrust=False, settings=_MANUAL, listing=False
    ),
    "exercise": Technique(_("Therapeutic exercise"), thrust=False, settings=_MANUAL, listing=False),
}

#: Keys the earlier "name = number" settings allowed that a technique's form no longer asks for
#: (NUCCA and Orthospinology took an anterior-posterior vector; Blair no longer has a drop piece).
EARLIER_SETTINGS: dict[str, Setting] = {
    "anterior_posterior_vector_deg": Setting(_("Anterior-posterior vector (°)"), "°", -45, 45),
    "lateral_vector_deg": Setting(_("Lateral vector (°)"), "°", -45, 45),
    "head_piece_deg": _HEAD_PIECE,
    "table_angle_deg": Setting(_("Instrument angle to the table (°)"), "°", 0, 90),
    "stylus_depth_mm": Setting(_("Stylus depth (mm)"), "mm", 0, 20),
    "instrument_force_setting": Setting(_("Instrument force (dial 0–10)"), "", 0, 10),
    "contact_angle_deg": _CONTACT_ANGLE,
    "drop_piece_tension": Setting(_("Drop-piece tension (dial 0–10)"), "", 0, 10),
}


def technique_of(code: str) -> Technique | None:
    return TECHNIQUES.get(code) or MANUAL_THERAPY.get(code)


def technique_label(code: str) -> str:
    technique = technique_of(code)
    return str(technique.label) if technique else gettext("unknown technique")


def is_thrust(code: str) -> bool:
    """Unknown codes count as thrust, so the gate fails closed."""
    override = getattr(settings, "ATLASCHART_THRUST_TECHNIQUES", None)
    if override is not None:
        return code in override
    technique = technique_of(code)
    return True if technique is None else technique.thrust


def describe_settings(code: str, values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A record's settings as (label, value with unit) pairs, in the form's order.

    Reads records of any age: a key the technique's form no longer asks for is labelled from
    ``EARLIER_SETTINGS``; a key nobody knows is shown as "other setting", never by its key.
    """
    technique = technique_of(code)
    schema: Mapping[str, Field] = technique.settings if technique else {}
    ordered = [k for k in schema if k in values] + [k for k in values if k not in schema]
    pairs = []
    for key in ordered:
        spec: Field | None = schema.get(key) or EARLIER_SETTINGS.get(key)
        value = values[key]
        if value in (None, ""):
            continue
        if spec is None:
            pairs.append((gettext("Other setting"), str(value)))
        elif isinstance(spec, Setting):
            label = str(spec.label)
            try:
                pairs.append((label, spec.display(value)))
            except ArithmeticError:
                pairs.append((label, str(value)))
        else:
            pairs.append((str(spec.label), spec.display(value)))
    return pairs
