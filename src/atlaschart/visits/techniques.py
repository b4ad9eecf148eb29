"""Treatment techniques: which ones are thrust techniques (for the safety gate) and which
technique-specific settings each one takes.

The thrust classification decides what an ``H`` safety finding blocks (outcomes_safety.md §3.3:
H blocks high-velocity thrust only). It is a clinic policy table, not a law of nature: edit
``TECHNIQUES`` (or override ``settings.ATLASCHART_THRUST_TECHNIQUES`` with a list of codes) and
document the change in docs/visits.md.

* HIO/toggle-recoil, knee-chest and "other thrust" deliver a high-velocity impulse: thrust.
* NUCCA, Atlas Orthogonal (instrument), Blair and Orthospinology are low-force or instrument
  adjustments: non-thrust here. A clinic that treats Blair's hand adjustment as a thrust should
  move it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Setting:
    """One numeric technique setting, with its unit and plausible range (inclusive)."""

    label: str | Promise
    unit: str
    lo: float
    hi: float


@dataclass(frozen=True)
class Technique:
    label: str | Promise
    thrust: bool
    settings: dict[str, Setting] = field(default_factory=dict)


_VECTOR = {
    "lateral_vector_deg": Setting(_("lateral vector"), "°", -45, 45),
    "anterior_posterior_vector_deg": Setting(_("anterior-posterior vector"), "°", -45, 45),
}

TECHNIQUES: dict[str, Technique] = {
    "nucca": Technique(
        _("NUCCA"),
        thrust=False,
        settings={
            **_VECTOR,
            "head_piece_deg": Setting(_("head piece angle"), "°", -30, 30),
        },
    ),
    "atlas_orthogonal": Technique(
        _("Atlas Orthogonal"),
        thrust=False,
        settings={
            "table_angle_deg": Setting(_("table angle"), "°", 0, 90),
            "stylus_depth_mm": Setting(_("stylus depth"), "mm", 0, 20),
            "instrument_force_setting": Setting(_("instrument force setting"), "", 0, 10),
            **_VECTOR,
        },
    ),
    "blair": Technique(
        _("Blair"),
        thrust=False,
        settings={
            "contact_angle_deg": Setting(_("contact angle"), "°", 0, 90),
            "head_piece_deg": Setting(_("head piece angle"), "°", -30, 30),
        },
    ),
    "orthospinology": Technique(_("Orthospinology"), thrust=False, settings=dict(_VECTOR)),
    "knee_chest": Technique(
        _("Knee-Chest"),
        thrust=True,
        settings={
            "contact_angle_deg": Setting(_("contact angle"), "°", 0, 90),
        },
    ),
    "hio_toggle": Technique(
        _("HIO / toggle-recoil"),
        thrust=True,
        settings={
            "drop_piece_tension": Setting(_("drop piece tension"), "", 0, 10),
        },
    ),
    "other_thrust": Technique(_("Other (thrust)"), thrust=True),
    "other_non_thrust": Technique(_("Other (non-thrust)"), thrust=False),
}

#: Other manual therapy: spinal manipulation is a thrust; mobilisation and soft tissue are not.
MANUAL_THERAPY = {
    "manipulation": Technique(_("Spinal manipulation (thrust)"), thrust=True),
    "mobilisation": Technique(_("Mobilisation"), thrust=False),
    "soft_tissue": Technique(_("Soft tissue / myofascial"), thrust=False),
    "exercise": Technique(_("Therapeutic exercise"), thrust=False),
}


def is_thrust(code: str) -> bool:
    """Unknown codes count as thrust, so the gate fails closed."""
    override = getattr(settings, "ATLASCHART_THRUST_TECHNIQUES", None)
    if override is not None:
        return code in override
    technique = TECHNIQUES.get(code) or MANUAL_THERAPY.get(code)
    return True if technique is None else technique.thrust


def parse_settings(code: str, text: str) -> dict[str, float]:
    """Parse "name = number" lines into the technique's settings; raises ValueError with a
    translated message naming the bad line."""
    technique = TECHNIQUES.get(code)
    allowed = technique.settings if technique else {}
    values: dict[str, float] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, sep, raw = line.partition("=")
        name = name.strip()
        if not sep or name not in allowed:
            names = ", ".join(allowed) or "—"
            raise ValueError(
                _("Line %(line)s: unknown setting for this technique (allowed: %(names)s).")
                % {"line": number, "names": names}
            )
        try:
            value = float(raw.strip())
        except ValueError:
            raise ValueError(
                _("Line %(line)s: %(name)s must be a number.") % {"line": number, "name": name}
            ) from None
        spec = allowed[name]
        if not spec.lo <= value <= spec.hi:
            raise ValueError(
                _("Line %(line)s: %(name)s must be between %(lo)s and %(hi)s.")
                % {"line": number, "name": name, "lo": spec.lo, "hi": spec.hi}
            )
        values[name] = value
    return values
