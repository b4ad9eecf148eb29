"""Upper cervical analysis profiles: versioned data naming views, landmarks, constructs, values.

A profile is plain data (a JSON-compatible dict) validated into frozen dataclasses, so a clinic can
ship its own without code. Each view of a profile is computed by one of the implemented view
kinds (``nasium``, ``vertex``, ``lateral``; see ``analysis.py``), and lists which of that kind's
constructs it reports. Listings and adjustment vectors are **never** computed by formulas of our
own: a profile may carry a clinic-supplied rule table (``listing.py``); without one the clinician
enters them (the technique manuals do not publish them; Woodfield et al. 2015,
``[woodfield-2015-precis]``).

``GENERIC_ORTHOGONAL`` is the generic orthogonal (nasium, vertex, lateral) profile exactly as
docs/radiograph.md defines it; the construction is [derived] from the published descriptions of
the orthogonal analysis (``[woodfield-2015-precis]``), not from any technique's manual.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from atlaschart.measure.radiograph.landmarks import VIEWS
from atlaschart.measure.radiograph.listing import RuleTable, rule_table_from_dict


class ProfileError(ValueError):
    """A profile (or its rule table) that is not valid; the message names the field."""


@dataclass(frozen=True)
class ConstructSpec:
    """One derived value: name, unit, and the frame/sign rule shown to the clinician."""

    name: str
    unit: str
    frame: str
    sign: str
    description: str

    def __post_init__(self) -> None:
        if not self.name or self.unit not in ("deg", "mm"):
            raise ProfileError(f"construct {self.name!r}: unit must be deg or mm")


@dataclass(frozen=True)
class ViewSpec:
    """A view of a profile: its kind, landmarks (required / optional) and reported constructs."""

    name: str
    kind: str
    required_points: tuple[str, ...]
    optional_points: tuple[str, ...]
    constructs: tuple[ConstructSpec, ...]

    def __post_init__(self) -> None:
        if self.kind not in VIEWS:
            raise ProfileError(f"view {self.name!r}: kind must be one of {', '.join(VIEWS)}")
        names = [c.name for c in self.constructs]
        if len(set(names)) != len(names):
            raise ProfileError(f"view {self.name!r}: duplicate construct names")

    def construct(self, name: str) -> ConstructSpec:
        for c in self.constructs:
            if c.name == name:
                return c
        raise KeyError(name)


@dataclass(frozen=True)
class Profile:
    """A versioned analysis profile. ``label`` (``id@version``) is stored with every analysis."""

    id: str
    version: str
    title: str
    views: tuple[ViewSpec, ...]
    rule_tables: tuple[RuleTable, ...] = ()

    def __post_init__(self) -> None:
        if not self.id or not self.version:
            raise ProfileError("profile id and version must be non-empty")
        names = [v.name for v in self.views]
        if not names or len(set(names)) != len(names):
            raise ProfileError("profile needs one or more uniquely named views")
        for table in self.rule_tables:
            view = self.view(table.view)
            known = {c.name for c in view.constructs}
            for used in table.value_names:
                if used not in known:
                    raise ProfileError(
                        f"rule table {table.label}: {used!r} is not a value of view {view.name!r}"
                    )

    @property
    def label(self) -> str:
        return f"{self.id}@{self.version}"

    def view(self, name: str) -> ViewSpec:
        for v in self.views:
            if v.name == name:
                return v
        raise ProfileError(f"profile {self.label} has no view {name!r}")

    def rule_table(self, view: str) -> RuleTable | None:
        """The clinic rule table for a view, or None: then the clinician enters the listing."""
        for t in self.rule_tables:
            if t.view == view:
                return t
        return None


def _strs(data: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(s, str) and s for s in value):
        raise ProfileError(f"{where}: {key} must be a list of names")
    return tuple(value)


def profile_from_dict(data: Any, implemented: Mapping[str, frozenset[str]]) -> Profile:
    """Validate a profile dict. ``implemented`` maps view kind → construct names the code computes
    (``analysis.IMPLEMENTED``); a profile may only report those."""
    if not isinstance(data, dict):
        raise ProfileError("profile must be a JSON object")
    for key in ("id", "version", "title"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise ProfileError(f"profile {key} must be a non-empty string")
    views = []
    raw_views = data.get("views")
    if not isinstance(raw_views, list):
        raise ProfileError("profile views must be a list")
    for rv in raw_views:
        if not isinstance(rv, dict) or not isinstance(rv.get("name"), str):
            raise ProfileError("each view needs a name")
        where = f"view {rv['name']!r}"
        kind = rv.get("kind", rv["name"])
        if not isinstance(kind, str) or kind not in implemented:
            raise ProfileError(f"{where}: no implementation for kind {kind!r}")
        constructs = []
        for rc in rv.get("constructs", []):
            if not isinstance(rc, dict):
                raise ProfileError(f"{where}: each construct must be an object")
            fields = {}
            for key in ("name", "unit", "frame", "sign", "description"):
                if not isinstance(rc.get(key), str):
                    raise ProfileError(f"{where}: construct {key} must be a string")
                fields[key] = rc[key]
            if fields["name"] not in implemented[kind]:
                raise ProfileError(f"{where}: construct {fields['name']!r} is not implemented")
            constructs.append(ConstructSpec(**fields))
        views.append(
            ViewSpec(
                name=rv["name"],
                kind=kind,
                required_points=_strs(rv, "required_points", where),
                optional_points=_strs(rv, "optional_points", where),
                constructs=tuple(constructs),
            )
        )
    tables = []
    for rt in data.get("rule_tables", []):
        try:
            tables.append(rule_table_from_dict(rt))
        except ValueError as exc:
            raise ProfileError(str(exc)) from exc
    return Profile(
        id=data["id"],
        version=data["version"],
        title=data["title"],
        views=tuple(views),
        rule_tables=tuple(tables),
    )


_Y_UP = "mm, x to image right, y up (image rows negated), after pixel spacing and magnification"

GENERIC_ORTHOGONAL_DATA: dict[str, Any] = {
    "id": "uc.generic-orthogonal",
    "version": "1",
    "title": "Generic orthogonal analysis (nasium, vertex, lateral)",
    "views": [
        {
            "name": "nasium",
            "required_points": ["apl_right", "apl_left", "skull_pairs"],
            "optional_points": [
                "plumb_top",
                "plumb_bottom",
                "c7_mid",
                "c2_center",
                "condyle_arc",
                "axis_arc",
            ],
            "constructs": [
                {
                    "name": "head_tilt_deg",
                    "unit": "deg",
                    "frame": _Y_UP,
                    "sign": "unsigned 0-90; side left if the top of the central skull line leans "
                    "toward the patient's left of the vertical u",
                    "description": "Angle between the central skull line c (TLS through the skull "
                    "pair midpoints, c·u > 0) and the vertical u (plumb line, else image up).",
                },
                {
                    "name": "atlas_laterality_deg",
                    "unit": "deg",
                    "frame": _Y_UP,
                    "sign": "s = atan2(a·c, a·p); value |s|; side left if s > 0 (left APL end "
                    "higher along the skull line) else right",
                    "description": "Atlas plane line a = apl_left − apl_right against p, the "
                    "perpendicular to the central skull line pointing to the patient's left.",
                },
                {
                    "name": "lower_angle_deg",
                    "unit": "deg",
                    "frame": _Y_UP,
                    "sign": "as atlas laterality with c replaced by unit(c2_center − c7_mid)",
                    "description": "Atlas plane line against the perpendicular to the lower angle "
                    "line (C7 midpoint → C2 centre). Needs c7_mid and c2_center.",
                },
                {
                    "name": "csl_max_residual_mm",
                    "unit": "mm",
                    "frame": _Y_UP,
                    "sign": "non-negative, no side",
                    "description": "Largest perpendicular distance of a skull pair midpoint from "
                    "the fitted central skull line (digital double-pivot check).",
                },
                {
                    "name": "condylar_circle_radius_mm",
                    "unit": "mm",
                    "frame": _Y_UP,
                    "sign": "non-negative, no side",
                    "description": "Radius of the least-squares circle through condyle_arc.",
                },
                {
                    "name": "condylar_circle_rms_mm",
                    "unit": "mm",
                    "frame": _Y_UP,
                    "sign": "non-negative, no side",
                    "description": "RMS radial residual of the condylar circle fit.",
                },
                {
                    "name": "axis_circle_radius_mm",
                    "unit": "mm",
                    "frame": _Y_UP,
                    "sign": "non-negative, no side",
                    "description": "Radius of the least-squares circle through axis_arc.",
                },
                {
                    "name": "axis_circle_rms_mm",
                    "unit": "mm",
                    "frame": _Y_UP,
                    "sign": "non-negative, no side",
                    "description": "RMS radial residual of the axis circle fit.",
                },
            ],
        },
        {
            "name": "vertex",
            "required_points": ["apl_right", "apl_left", "skull_anterior", "skull_posterior"],
            "optional_points": [],
            "constructs": [
                {
                    "name": "atlas_rotation_deg",
                    "unit": "deg",
                    "frame": _Y_UP,
                    "sign": "s = atan2(a·f, a·p); value |s|; side left if s > 0 (left APL end "
                    "more anterior) else right",
                    "description": "Atlas plane line a = apl_left − apl_right against p, the "
                    "perpendicular to the skull line f = unit(skull_anterior − skull_posterior) "
                    "with p·a > 0.",
                },
            ],
        },
        {
            "name": "lateral",
            "required_points": ["atlas_anterior_tubercle", "atlas_posterior_tubercle"],
            "optional_points": ["plumb_top", "plumb_bottom"],
            "constructs": [
                {
                    "name": "atlas_plane_deg",
                    "unit": "deg",
                    "frame": _Y_UP,
                    "sign": "signed, positive when the anterior tubercle is higher; no side",
                    "description": "Posterior → anterior tubercle line against the horizontal "
                    "(perpendicular to the plumb line, else to image up).",
                },
            ],
        },
    ],
}
