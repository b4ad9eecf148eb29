"""Words for the codes of the radiograph core: point names, value names, units, warnings, views.

The core (``atlaschart.measure.radiograph``) speaks in stable codes (``apl_right``,
``atlas_laterality_deg``, ``deg``, ``no-plumb-reference``) so its JSON stays a contract; every page
shows them through this catalogue in the user's language, never raw. A code without an entry is
shown through a generic translated sentence that still names it, so nothing is silently hidden.

Landmark guides: each point has a short diagram position on a schematic of its view, drawn by
``_landmark_guide.html`` (our own SVG: patient's right on the viewer's left, as a radiologist
displays an AP film and an axial slice; the lateral faces the viewer's right).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from atlaschart.measure.radiograph import ConstructError

VIEW_LABELS: Mapping[str, Any] = {
    "nasium": gettext_lazy("Nasium (AP)"),
    "vertex": gettext_lazy("Vertex"),
    "lateral": gettext_lazy("Lateral"),
}

PROFILE_TITLES: Mapping[str, Any] = {
    "uc.generic-orthogonal": gettext_lazy(
        "Generic orthogonal analysis (nasium, vertex and lateral views)"
    ),
}

UNIT_SYMBOLS: Mapping[str, str] = {"deg": "°", "mm": " mm", "px": " px"}

SIDE_LABELS: Mapping[str, Any] = {
    "left": pgettext_lazy("patient's side", "left"),
    "right": pgettext_lazy("patient's side", "right"),
}

VALUE_LABELS: Mapping[str, Any] = {
    "head_tilt_deg": gettext_lazy("Head tilt"),
    "atlas_laterality_deg": gettext_lazy("Atlas laterality"),
    "lower_angle_deg": gettext_lazy("Lower angle"),
    "csl_max_residual_mm": gettext_lazy("Central skull line: largest midpoint residual"),
    "condylar_circle_radius_mm": gettext_lazy("Condylar circle radius"),
    "condylar_circle_rms_mm": gettext_lazy("Condylar circle fit residual (RMS)"),
    "axis_circle_radius_mm": gettext_lazy("Axial circle radius"),
    "axis_circle_rms_mm": gettext_lazy("Axial circle fit residual (RMS)"),
    "atlas_rotation_deg": gettext_lazy("Atlas rotation"),
    "atlas_plane_deg": gettext_lazy("Atlas plane angle"),
}

SPACING_LABELS: Mapping[str, Any] = {
    "PixelSpacing": gettext_lazy("DICOM PixelSpacing (patient plane)"),
    "ImagerPixelSpacing": gettext_lazy("DICOM ImagerPixelSpacing (detector plane)"),
    "manual": gettext_lazy("manual calibration with a marker of known length"),
    "none": gettext_lazy("no spacing: lengths in pixels"),
}

EXAMINER_SOURCES: Mapping[str, Any] = {
    "published": gettext_lazy("examiner SD 0.45° (Rochester 1994)"),
    "published-by-analogy": gettext_lazy(
        "examiner SD 0.45° (Rochester 1994, the laterality figure applied to rotation)"
    ),
    "clinic": gettext_lazy("examiner SD set by the clinic"),
}


@dataclass(frozen=True)
class Guide:
    """A landmark's name, where it goes (one sentence) and its spot on the view's schematic."""

    label: Any
    where: Any
    short: Any
    x: float
    y: float


# Patterned names (``skull_pairs.N.right``, ``condyle_arc.N``) use ``{n}`` for N.
GUIDES: Mapping[str, Mapping[str, Guide]] = {
    "nasium": {
        "apl_right": Guide(
            gettext_lazy("Atlas plane line, patient's right end"),
            gettext_lazy(
                "Lower border of the atlas posterior arch where it meets the lateral mass, on the "
                "patient's right."
            ),
            gettext_lazy("APL right"),
            37,
            101,
        ),
        "apl_left": Guide(
            gettext_lazy("Atlas plane line, patient's left end"),
            gettext_lazy(
                "Lower border of the atlas posterior arch where it meets the lateral mass, on the "
                "patient's left."
            ),
            gettext_lazy("APL left"),
            83,
            101,
        ),
        "skull_pairs.right": Guide(
            gettext_lazy("Skull pair {n}, patient's right"),
            gettext_lazy(
                "A point on the outer skull contour on the patient's right; its partner goes on "
                "the left at the same level. Add pairs every few millimetres from the squamosal "
                "sutures to the vertex: their midpoints make the central skull line."
            ),
            gettext_lazy("S{n} right"),
            23,
            40,
        ),
        "skull_pairs.left": Guide(
            gettext_lazy("Skull pair {n}, patient's left"),
            gettext_lazy(
                "The partner of the right point on the outer skull contour, on the patient's "
                "left, at the same level."
            ),
            gettext_lazy("S{n} left"),
            97,
            40,
        ),
        "plumb_top": Guide(
            gettext_lazy("Plumb line, top"),
            gettext_lazy("Upper end of the plumb line (true vertical) seen on the film."),
            gettext_lazy("plumb top"),
            112,
            12,
        ),
        "plumb_bottom": Guide(
            gettext_lazy("Plumb line, bottom"),
            gettext_lazy("Lower end of the same plumb line."),
            gettext_lazy("plumb bottom"),
            112,
            130,
        ),
        "c7_mid": Guide(
            gettext_lazy("C7 midpoint"),
            gettext_lazy(
                "Midpoint of the C7 vertebral body: the lower end of the lower angle line."
            ),
            gettext_lazy("C7"),
            60,
            134,
        ),
        "c2_center": Guide(
            gettext_lazy("C2 centre"),
            gettext_lazy(
                "Centre of C2: midway between the base of the dens and the fork of the C2 "
                "spinous process."
            ),
            gettext_lazy("C2"),
            60,
            112,
        ),
        "condyle_arc": Guide(
            gettext_lazy("Condylar arc, point {n}"),
            gettext_lazy(
                "Points along the occipital condyles where they meet the atlas (C0–C1), at least "
                "three, from one side to the other."
            ),
            gettext_lazy("condyle {n}"),
            47,
            88,
        ),
        "axis_arc": Guide(
            gettext_lazy("Axial arc, point {n}"),
            gettext_lazy(
                "Points along the outer edges of the C2 superior facets, at least three, from one "
                "side to the other."
            ),
            gettext_lazy("axis {n}"),
            44,
            107,
        ),
    },
    "vertex": {
        "apl_right": Guide(
            gettext_lazy("Atlas plane line, patient's right end"),
            gettext_lazy("Centre of the atlas transverse foramen on the patient's right."),
            gettext_lazy("APL right"),
            36,
            74,
        ),
        "apl_left": Guide(
            gettext_lazy("Atlas plane line, patient's left end"),
            gettext_lazy("Centre of the atlas transverse foramen on the patient's left."),
            gettext_lazy("APL left"),
            84,
            74,
        ),
        "skull_anterior": Guide(
            gettext_lazy("Skull line, front end"),
            gettext_lazy("Centre of the cribriform plate: the front end of the skull line."),
            gettext_lazy("skull front"),
            60,
            30,
        ),
        "skull_posterior": Guide(
            gettext_lazy("Skull line, back end"),
            gettext_lazy(
                "Centre of the foramen magnum (found from the centre of the dens): the back end "
                "of the skull line."
            ),
            gettext_lazy("skull back"),
            60,
            86,
        ),
    },
    "lateral": {
        "atlas_anterior_tubercle": Guide(
            gettext_lazy("Atlas anterior tubercle"),
            gettext_lazy("Centre of the anterior tubercle of the atlas."),
            gettext_lazy("anterior tubercle"),
            80,
            96,
        ),
        "atlas_posterior_tubercle": Guide(
            gettext_lazy("Atlas posterior tubercle"),
            gettext_lazy("Centre of the posterior tubercle of the atlas."),
            gettext_lazy("posterior tubercle"),
            36,
            101,
        ),
        "plumb_top": Guide(
            gettext_lazy("Plumb line, top"),
            gettext_lazy("Upper end of the plumb line (true vertical) seen on the film."),
            gettext_lazy("plumb top"),
            10,
            12,
        ),
        "plumb_bottom": Guide(
            gettext_lazy("Plumb line, bottom"),
            gettext_lazy("Lower end of the same plumb line."),
            gettext_lazy("plumb bottom"),
            10,
            130,
        ),
    },
}

# "…" stands for "any number" in messages about a whole list of points.
_PAIR = re.compile(r"^skull_pairs\.(\d+|…)\.(right|left)$")
_ARC = re.compile(r"^(\w+_arc)\.(\d+|…)$")


def guide_key(name: str) -> tuple[str, str | None]:
    """``skull_pairs.3.right`` → (``skull_pairs.right``, "3"); ``condyle_arc.2`` → (``condyle_arc``,
    "2"); a plain name → (name, None)."""
    if m := _PAIR.match(name):
        return f"skull_pairs.{m.group(2)}", m.group(1)
    if m := _ARC.match(name):
        return m.group(1), m.group(2)
    return name, None


def point_label(view: str, name: str, short: bool = False) -> str:
    key, n = guide_key(name)
    guide = GUIDES.get(view, {}).get(key)
    if guide is None:
        return _("Point “%(name)s”") % {"name": name}
    return str(guide.short if short else guide.label).replace("{n}", n or "")


def editor_labels(view: str) -> dict[str, dict[str, str]]:
    """For the editor's script: per guide key its label and short label, ``{n}`` left in."""
    return {
        key: {"label": str(g.label), "short": str(g.short)}
        for key, g in GUIDES.get(view, {}).items()
    }


def guides(view: str) -> list[dict[str, Any]]:
    return [
        {
            "key": key,
            "label": str(g.label).replace(" {n}", "").replace("{n}", ""),
            "where": g.where,
            "x": g.x,
            "y": g.y,
        }
        for key, g in GUIDES.get(view, {}).items()
    ]


def view_label(view: str) -> str:
    label = VIEW_LABELS.get(view)
    return str(label) if label is not None else _("View “%(name)s”") % {"name": view}


def profile_title(profile_id: str, fallback: str) -> str:
    title = PROFILE_TITLES.get(profile_id)
    return str(title) if title is not None else fallback


def value_label(name: str) -> str:
    label = VALUE_LABELS.get(name)
    return str(label) if label is not None else _("Value “%(name)s”") % {"name": name}


def side_label(side: str | None) -> str:
    return str(SIDE_LABELS[side]) if side is not None and side in SIDE_LABELS else "—"


def spacing_label(source: str) -> str:
    label = SPACING_LABELS.get(source)
    return str(label) if label is not None else source


def number(value: float, unit: str) -> str:
    """``2.86, "deg"`` → ``2.86°``; lengths keep a space before mm/px."""
    return f"{value:.2f}{UNIT_SYMBOLS.get(unit, ' ' + unit)}"


def warning_text(code: str) -> str:
    """One translated sentence per stable warning code of the core."""
    if code.startswith("unknown-point:"):
        return _("A point this analysis does not use was ignored: %(name)s.") % {
            "name": code.split(":", 1)[1]
        }
    texts = {
        "no-plumb-reference": _(
            "No plumb line was marked: the image's own vertical is taken as true vertical."
        ),
        "apl-sides-reversed": _(
            "The ends of the atlas plane line look swapped (right and left): check the point names."
        ),
        "detector-plane-spacing": _(
            "The spacing is at the detector and no magnification factor is known: lengths are "
            "overstated by the magnification (angles are not affected)."
        ),
        "no-pixel-spacing": _("The image has no pixel spacing: lengths are in pixels."),
        "pixel-spacing-equals-imager-spacing": _(
            "PixelSpacing equals the detector spacing: the device may not have corrected for "
            "magnification."
        ),
        "algorithm-differs": _("Pre and post were computed by different algorithm versions."),
    }
    return texts.get(code, _("Note from the analysis: %(code)s") % {"code": code})


def warning_texts(codes: Iterable[str]) -> list[str]:
    return [warning_text(c) for c in codes]


def error_note(e: ConstructError | None) -> str:
    """How the error figure was made, in words."""
    if e is None:
        return _("no error figure for this value")
    if (
        e.examiner_sd is not None
        and e.examiner_source is not None
        and e.examiner_source in EXAMINER_SOURCES
    ):
        return _("%(examiner)s combined with the landmark placement (%(placement)s)") % {
            "examiner": EXAMINER_SOURCES[e.examiner_source],
            "placement": number(e.placement_sd, e.unit),
        }
    return _("landmark placement on the pixel grid only; no published examiner SD")


def value_rows(
    values: Mapping[str, Mapping[str, Any]], errors: Mapping[str, ConstructError]
) -> list[dict[str, Any]]:
    """Rows for a values table: label, ``value ± error unit``, side, how the error was made."""
    rows = []
    for name, v in values.items():
        e = errors.get(name)
        text = number(v["value"], v["unit"])
        if e is not None:
            text += " ± " + number(e.total_sd, e.unit)
        rows.append(
            {
                "name": name,
                "label": value_label(name),
                "text": text,
                "side": side_label(v.get("side")),
                "error_note": error_note(e),
            }
        )
    return rows


#: Values whose side is part of the value (shown as "2.86° left"); the others are plain numbers.
SIDED: frozenset[str] = frozenset(
    {"head_tilt_deg", "atlas_laterality_deg", "lower_angle_deg", "atlas_rotation_deg"}
)


def signed_text(name: str, signed: float | None, unit: str) -> str:
    """A compared value (patient's left positive) in words: ``2.86° left``, ``−0.50°``."""
    if signed is None:
        return "—"
    if name in SIDED:
        if signed == 0:
            return number(0.0, unit)
        return f"{number(abs(signed), unit)} {side_label('left' if signed > 0 else 'right')}"
    return number(signed, unit).replace("-", "−")


def change_text(change: float | None, unit: str) -> str:
    if change is None:
        return "—"
    sign = "+" if change > 0 else ("−" if change < 0 else "")
    return sign + number(abs(change), unit)


def change_rows(comparison: Any, errors_pre: Mapping[str, ConstructError]) -> list[dict[str, Any]]:
    """Rows of the compare table: label, pre, post, change, threshold and its status in words,
    and the single-analysis error of the pre value for context."""
    status_text = {
        "beyond": _("beyond measurement error"),
        "within": _("within measurement error"),
        "no-threshold": _("no threshold"),
        "missing": _("in one analysis only"),
    }
    rows = []
    for c in comparison.changes:
        rows.append(
            {
                "name": c.name,
                "label": value_label(c.name),
                "unit": UNIT_SYMBOLS.get(c.unit, c.unit).strip(),
                "pre": signed_text(c.name, c.pre_signed, c.unit),
                "post": signed_text(c.name, c.post_signed, c.unit),
                "change": change_text(c.change, c.unit),
                "error": number(c.error, c.unit) if c.error is not None else "—",
                "status": c.status,
                "status_text": status_text.get(c.status, c.status),
                "single_error": (
                    "± " + number(errors_pre[c.name].total_sd, c.unit)
                    if c.name in errors_pre
                    else "—"
                ),
            }
        )
    return rows


_HEADLINE = ("atlas_laterality_deg", "atlas_rotation_deg", "atlas_plane_deg")


def decorate(analyses: Iterable[Any]) -> list[Any]:
    """Set ``view_label`` and ``headline`` (the view's main value in words) on analysis rows."""
    out = list(analyses)
    for a in out:
        a.view_label = view_label(a.view)
        a.headline = ""
        for name in _HEADLINE:
            v = (a.values or {}).get(name)
            if v is not None:
                side = f" {side_label(v.get('side'))}" if v.get("side") else ""
                a.headline = f"{value_label(name)} {number(v['value'], v['unit'])}{side}"
                break
    return out
