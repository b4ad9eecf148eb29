"""Exam records in words, in the user's language: the one-line summary shown in lists and the
tables of the detail page.

Everything here is computed from a record's stored ``raw`` inputs and ``derived`` values at display
time, so a record reads in Korean for a Korean user and in English for an English one, whoever
saved it. Values carry their unit; grades name their scale; sides are the patient's.
Stored data that does not fit (an older record, a hand edit) never breaks a page: unknown entries
are listed as they are, and the summary falls back to the stored text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.html import format_html_join
from django.utils.text import capfirst
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from atlaschart.exams import labels as L
from atlaschart.measure.exam.leg_check import DEFAULT_MDC_MM, MM_PER_EIGHTH_INCH
from atlaschart.measure.exam.neuro import (
    DERMATOME_LEVELS,
    MYOTOME_KEY_MUSCLES,
    PathologicalSign,
    Reflex,
    ReflexScale,
    grade_label,
)

SIDES = ("left", "right")
Raw = Mapping[str, Any]

#: Differences smaller than this read as "legs even": the last place shown is 0.01 mm.
LEG_EVEN_BELOW_MM = 0.005


@dataclass(frozen=True)
class Table:
    """A titled table: ``headers`` (empty for a plain label/value list) and ``rows``; the first
    cell of each row is its heading."""

    title: str
    rows: tuple[tuple[str, ...], ...]
    headers: tuple[str, ...] = ()
    note: str = ""


# ------------------------------------------------------------------------------ formatting


def num(value: object, places: int = 2) -> str:
    """A number rounded half up to ``places`` decimals, trailing zeros dropped (6.35, 3.18, 4)."""
    try:
        d = Decimal(repr(float(value)))  # type: ignore[arg-type]
    except (TypeError, ValueError, InvalidOperation):
        return str(value)
    text = format(d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def mm(value: object) -> str:
    return f"{num(value)} mm"


def deg(value: object) -> str:
    return f"{num(value, 1)}°"


def yes_no(value: object, unknown: str | None = None) -> str:
    return _tri(value, _("Yes"), _("No"), _("Not examined") if unknown is None else unknown)


def _tri(value: object, true: str, false: str, unknown: str) -> str:
    return true if value is True else false if value is False else unknown


def _label(table: Mapping[str, L.Label], value: object) -> str:
    """The translated label of a core value; the value itself if the table lacks it."""
    if value in (None, ""):
        return "—"
    return str(table.get(str(value), value))


def _side_lower(side: object) -> str:
    return {"left": _("left"), "right": _("right")}.get(str(side), str(side))


def _present(value: object) -> bool:
    return value not in (None, "", [], False)


# ------------------------------------------------------------------------------ leg checks


def _leg_magnitude_mm(raw: Raw, derived: Raw) -> float:
    if isinstance(derived.get("magnitude_mm"), int | float):
        return float(derived["magnitude_mm"])
    value = float(raw.get("magnitude") or 0)
    return value * MM_PER_EIGHTH_INCH if raw.get("unit") == "eighth_inch" else value


def leg_result(raw: Raw, derived: Raw) -> str:
    """ "legs even", or which leg is short and by how much, with the unit as entered."""
    magnitude = _leg_magnitude_mm(raw, derived)
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


def _leg_summary(raw: Raw, derived: Raw) -> str:
    text = f"{_label(L.CHECK_TYPE, raw.get('check_type'))}: {leg_result(raw, derived)}"
    change = leg_change(derived)
    return f"{text}; {change}" if change else text


# --------------------------------------------------------------------------------- neuro


def _reflex_scale(raw: Raw) -> ReflexScale:
    try:
        return ReflexScale(raw.get("scale") or ReflexScale.NINDS.value)
    except ValueError:
        return ReflexScale.NINDS


def _grade(scale: ReflexScale, value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return grade_label(scale, value)
    return "—" if value in (None, "") else str(value)


def myotome_label(root: str) -> str:
    return f"{root} — {_label(L.MYOTOME_MUSCLE, root)}"


def mrc_key() -> str:
    return " · ".join(f"{g} {label}" for g, label in L.MRC_GRADE.items())


def _neuro_findings(raw: Raw) -> list[str]:
    parts = []
    weak = [
        f"{root} {_side_lower(side)} {raw[key]}/5"
        for root in MYOTOME_KEY_MUSCLES
        for side in SIDES
        if isinstance(raw.get(key := f"myotome_{root}_{side}"), int) and raw[key] < 5
    ]
    if weak:
        parts.append(_("strength below 5/5: %(items)s") % {"items": ", ".join(weak)})
    altered = [
        f"{level} {_side_lower(side)} {_label(L.SENSATION, raw[key]).lower()}"
        for level in DERMATOME_LEVELS
        for side in SIDES
        if raw.get(key := f"dermatome_{level}_{side}") not in (None, "", "normal")
    ]
    if altered:
        parts.append(_("sensation: %(items)s") % {"items": ", ".join(altered)})
    return parts


def _neuro_summary(raw: Raw, derived: Raw) -> str:
    parts = []
    if "cook_positive_count" in derived:
        params = {
            "positive": derived["cook_positive_count"],
            "missing": derived.get("cook_missing_count", 0),
            "interpretation": _label(L.COOK, derived.get("cook_interpretation")),
        }
        if params["missing"]:
            parts.append(
                _(
                    "Cook cluster %(positive)s/5 positive, %(missing)s not examined: "
                    "%(interpretation)s"
                )
                % params
            )
        else:
            parts.append(_("Cook cluster %(positive)s/5 positive: %(interpretation)s") % params)
    signs = derived.get("umn_signs") or {}
    positive = [
        str(L.UMN_SIGN.get(k, k))
        for k, v in signs.items()
        if v is True and k != "cook_cluster_positive"
    ]
    if positive:
        parts.append(_("UMN signs: %(signs)s") % {"signs": ", ".join(positive)})
    parts.extend(_neuro_findings(raw))
    return "; ".join(parts)


def _neuro_tables(raw: Raw) -> tuple[list[Table], set[str]]:
    used: set[str] = {"scale", "reinforced", "gait", "gait_pattern", "sensory_modality"}
    tables = []
    sides = tuple(str(L.PATIENT_SIDE[s]) for s in SIDES)
    scale = _reflex_scale(raw)
    rows = []
    for reflex in Reflex:
        keys = [f"reflex_{reflex.value}_{side}" for side in SIDES]
        used.update(keys)
        if any(raw.get(k) is not None for k in keys):
            rows.append((str(L.REFLEX[reflex]), *(_grade(scale, raw.get(k)) for k in keys)))
    if rows:
        note = f"{L.REFLEX_SCALE_NAME[scale]}: {L.REFLEX_SCALE_KEY[scale]}."
        if raw.get("reinforced"):
            note += " " + _("Graded with reinforcement (Jendrassik).")
        tables.append(Table(_("Deep tendon reflexes"), tuple(rows), (_("Reflex"), *sides), note))
    rows = []
    for sign in PathologicalSign:
        keys = [f"{sign.value}_{side}" for side in SIDES]
        used.update(keys)
        if any(raw.get(k) for k in keys):
            rows.append(
                (
                    str(L.PATHOLOGICAL[sign]),
                    *(
                        _label(L.FINDING, raw.get(k)) if raw.get(k) else _("Not tested")
                        for k in keys
                    ),
                )
            )
    if rows:
        tables.append(Table(_("Pathological reflexes"), tuple(rows), (_("Sign"), *sides)))
    cells = []
    for side in SIDES:
        beats, sustained = raw.get(f"clonus_{side}_beats"), raw.get(f"clonus_{side}_sustained")
        used.update({f"clonus_{side}_beats", f"clonus_{side}_sustained"})
        words = [_("sustained")] if sustained else []
        if isinstance(beats, int):
            words.append(ngettext("%(n)s beat", "%(n)s beats", beats) % {"n": beats})
        cells.append(", ".join(words) or "—")
    if any(c != "—" for c in cells):
        tables.append(Table(_("Clonus"), ((_("Ankle"), *cells),), (_("Site"), *sides)))
    rows = []
    for root in MYOTOME_KEY_MUSCLES:
        keys = [f"myotome_{root}_{side}" for side in SIDES]
        used.update(keys)
        if any(raw.get(k) is not None for k in keys):
            rows.append(
                (
                    myotome_label(root),
                    *("—" if raw.get(k) is None else f"{raw[k]}/5" for k in keys),
                )
            )
    if rows:
        tables.append(
            Table(
                _("Myotomes (key muscle strength)"),
                tuple(rows),
                (_("Root (key muscle)"), *sides),
                f"{L.MRC_SCALE_NAME}: {mrc_key()}.",
            )
        )
    rows = []
    for level in DERMATOME_LEVELS:
        keys = [f"dermatome_{level}_{side}" for side in SIDES]
        used.update(keys)
        if any(raw.get(k) for k in keys):
            rows.append((level, *(_label(L.SENSATION, raw.get(k)) for k in keys)))
    if rows:
        modality = raw.get("sensory_modality")
        note = (
            _("Sensation tested with: %(modality)s.")
            % {"modality": _label(L.SENSORY_MODALITY, modality)}
            if modality
            else ""
        )
        tables.append(Table(_("Dermatomes (sensation)"), tuple(rows), (_("Level"), *sides), note))
    if raw.get("gait"):
        value = _label(L.GAIT, raw.get("gait"))
        if raw.get("gait_pattern"):
            value += f" — {_label(L.GAIT_PATTERN, raw.get('gait_pattern'))}"
        tables.append(Table(_("Gait"), ((_("Gait"), value),)))
    return tables, used


def _neuro_computed(derived: Raw) -> list[tuple[str, str]]:
    rows = []
    if "cook_positive_count" in derived:
        rows.append(
            (
                _("Cook myelopathy cluster"),
                _("%(positive)s of 5 positive, %(missing)s not examined: %(interpretation)s")
                % {
                    "positive": derived["cook_positive_count"],
                    "missing": derived.get("cook_missing_count", 0),
                    "interpretation": _label(L.COOK, derived.get("cook_interpretation")),
                },
            )
        )
    for key, value in (derived.get("umn_signs") or {}).items():
        rows.append((str(L.UMN_SIGN.get(key, key)), yes_no(value)))
    return rows


# ------------------------------------------------------------------------- the other kinds


def _kv(title: str, rows: Iterable[tuple[str, str]]) -> Table | None:
    rows = tuple(r for r in rows if r[1] not in ("", "—"))
    return Table(title, rows) if rows else None


def _leg_tables(raw: Raw, derived: Raw) -> tuple[list[Table], set[str]]:
    rest = raw.get("rest_min")
    table = _kv(
        _("Leg length check"),
        [
            (_("Check"), _label(L.CHECK_TYPE, raw.get("check_type"))),
            (_("Result"), capfirst(leg_result(raw, derived))),
            (
                _("Rest before the check"),
                "" if rest is None else _("%(n)s min") % {"n": num(rest, 1)},
            ),
        ],
    )
    return [t for t in [table] if t], {"check_type", "short_side", "magnitude", "unit", "rest_min"}


def _mdc_with_source(mdc: object) -> str:
    """The MDC with its source when it is the published one (a clinic may set its own)."""
    if isinstance(mdc, int | float) and abs(mdc - DEFAULT_MDC_MM) < 1e-9:
        return _("%(mdc)s (Cooperstein et al., compressive leg check)") % {"mdc": mm(mdc)}
    return mm(mdc)


def _leg_computed(derived: Raw) -> list[tuple[str, str]]:
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


def _rom_tables(raw: Raw) -> tuple[list[Table], set[str]]:
    used = {"method"}
    rows = []
    for movement, label in L.MOVEMENT.items():
        used.update({f"angle_{movement}", f"pain_{movement}"})
        angle = raw.get(f"angle_{movement}")
        if angle is not None:
            painful = _("Painful") if raw.get(f"pain_{movement}") else "—"
            rows.append((str(label), deg(angle), painful))
    note = _("Method: %(method)s. Degrees from the neutral position.") % {
        "method": _label(L.ROM_METHOD, raw.get("method") or "visual")
    }
    table = Table(
        _("Cervical range of motion"), tuple(rows), (_("Movement"), _("Angle"), _("Pain")), note
    )
    return ([table] if rows else []), used


def _seconds(value: object) -> str:
    return "—" if value is None else _("%(n)s s") % {"n": num(value, 1)}


def _romberg_tables(raw: Raw) -> tuple[list[Table], set[str]]:
    rows = (
        (_("Eyes open"), _seconds(raw.get("open_held_s")), yes_no(bool(raw.get("open_lost")))),
        (
            _("Eyes closed"),
            _seconds(raw.get("closed_held_s")),
            yes_no(bool(raw.get("closed_lost"))),
        ),
    )
    note = _("Surface: %(surface)s.") % {"surface": _label(L.SURFACE, raw.get("surface"))}
    table = Table(_("Romberg test"), rows, (_("Trial"), _("Time held"), _("Lost balance")), note)
    return [table], {"surface", "open_held_s", "open_lost", "closed_held_s", "closed_lost"}


def _fukuda_rotation(raw: Raw) -> str:
    rotation = raw.get("rotation_deg")
    if rotation is None:
        return ""
    if raw.get("direction") in SIDES:
        return _("%(angle)s toward the %(side)s") % {
            "angle": deg(rotation),
            "side": L.PATIENT_SIDE_IN_TEXT[raw["direction"]],
        }
    return deg(rotation)


def _fukuda_tables(raw: Raw) -> tuple[list[Table], set[str]]:
    disp = raw.get("displacement_cm")
    table = _kv(
        _("Fukuda stepping test"),
        [
            (_("Steps"), "" if raw.get("steps") is None else str(raw["steps"])),
            (_("Rotation"), _fukuda_rotation(raw)),
            (_("Displacement"), "" if disp is None else f"{num(disp, 1)} cm"),
        ],
    )
    return [t for t in [table] if t], {"steps", "rotation_deg", "direction", "displacement_cm"}


def _scoliosis_tables(raw: Raw) -> tuple[list[Table], set[str]]:
    used = {"adams_positive", "hump_side"}
    tables = []
    adams = _kv(
        _("Adam's forward bend test"),
        [
            (_("Result"), _("Positive") if raw.get("adams_positive") else _("Negative")),
            (_("Hump side"), _label(L.PATIENT_SIDE, raw.get("hump_side"))),
        ],
    )
    if adams:
        tables.append(adams)
    rows = []
    for region, label in L.SPINE_REGION.items():
        used.update({f"atr_{region}", f"atr_{region}_side"})
        if raw.get(f"atr_{region}") is not None:
            rows.append(
                (
                    str(label),
                    deg(raw[f"atr_{region}"]),
                    _label(L.PATIENT_SIDE, raw.get(f"atr_{region}_side")),
                )
            )
    if rows:
        tables.append(
            Table(
                _("Scoliometer (angle of trunk rotation)"),
                tuple(rows),
                (_("Region"), _("ATR"), _("Side")),
            )
        )
    return tables, used


def _bp_tables(raw: Raw) -> tuple[list[Table], set[str]]:
    rows = []
    used = set()
    for side, label in (("left", _("Patient's left arm")), ("right", _("Patient's right arm"))):
        keys = [f"{side}_systolic", f"{side}_diastolic", f"{side}_pulse"]
        used.update(keys)
        systolic, diastolic, pulse = (raw.get(k) for k in keys)
        if systolic is None and diastolic is None:
            continue
        rows.append(
            (
                label,
                f"{systolic}/{diastolic} mmHg",
                "—" if pulse is None else _("%(n)s /min") % {"n": pulse},
            )
        )
    table = Table(_("Blood pressure"), tuple(rows), (_("Arm"), _("Pressure"), _("Pulse")))
    return ([table] if rows else []), used


def _thermo_tables(raw: Raw) -> tuple[list[Table], set[str]]:
    from atlaschart.exams.core import thermo_readings

    acclimation = raw.get("acclimation_min")
    tables = []
    about = _kv(
        _("Paraspinal thermography"),
        [
            (_("Instrument"), _label(L.INSTRUMENT, raw.get("instrument"))),
            (
                _("Acclimation"),
                "" if acclimation is None else _("%(n)s min") % {"n": num(acclimation, 1)},
            ),
        ],
    )
    if about:
        tables.append(about)
    try:
        readings = thermo_readings(raw.get("readings") or "")
    except ValueError:
        readings = []
    if readings:
        rows = tuple((level, f"{'+' if d > 0 else ''}{num(d)} °C") for level, d in readings)
        tables.append(
            Table(_("Readings"), rows, (_("Level"), _("Left − right temperature difference")))
        )
    return tables, {"instrument", "acclimation_min", "readings"}


def _palpation_tables(raw: Raw) -> tuple[list[Table], set[str]]:
    table = _kv(
        _("Palpation"),
        [
            (_("Findings"), str(raw.get("findings") or "")),
            (_("Tender levels"), str(raw.get("tender_levels") or "")),
        ],
    )
    return [t for t in [table] if t], {"findings", "tender_levels"}


def _safety_tables(raw: Raw) -> tuple[list[Table], set[str]]:
    from atlaschart.measure.safety import SCREENING_QUESTIONS

    lang = "ko" if (get_language() or "").startswith("ko") else "en"
    rows = []
    used = set()
    for q in SCREENING_QUESTIONS:
        if q.id not in raw:
            continue
        used.add(q.id)
        value = raw[q.id]
        texts = {c.value: c.text[lang] for c in q.choices}
        if isinstance(value, list):
            answer = ", ".join(str(texts.get(v, v)) for v in value) or texts.get(False, _("No"))
        elif isinstance(value, bool | str) and value in texts:
            answer = texts[value]
        else:
            answer = "—" if value is None else str(value)
        rows.append((q.text[lang], answer))
    table = Table(_("Answers"), tuple(rows), (_("Question"), _("Answer")))
    return ([table] if rows else []), used


def _computed_other(kind: str, derived: Raw) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    if kind == "cervical_rom":
        painful = [_label(L.MOVEMENT, m) for m in derived.get("painful_movements") or []]
        rows.append((_("Painful movements"), ", ".join(painful) or _("None")))
    elif kind == "romberg" and "romberg_positive" in derived:
        rows.append(
            (
                _("Romberg test"),
                _tri(
                    derived["romberg_positive"],
                    _("Positive"),
                    _("Negative"),
                    _("Not interpretable"),
                ),
            )
        )
    elif kind == "fukuda" and "abnormal" in derived:
        rows.append(
            (
                _("Rotation above %(limit)s") % {"limit": deg(derived.get("threshold_deg"))},
                yes_no(derived["abnormal"]),
            )
        )
    elif kind == "scoliosis":
        if derived.get("max_atr_deg") is not None:
            rows += [
                (_("Largest ATR"), deg(derived["max_atr_deg"])),
                (_("Referral threshold"), deg(derived.get("threshold_deg"))),
                (_("Refer for further evaluation"), yes_no(derived.get("refer"))),
            ]
    elif kind == "blood_pressure":
        diff = derived.get("inter_arm_systolic_mmhg")
        rows += [
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
    elif kind == "thermography":
        if derived.get("max_abs_differential_c") is not None:
            rows.append((_("Largest |ΔT|"), f"{num(derived['max_abs_differential_c'])} °C"))
        rows.append(
            (
                _("Acclimated (16 min or more)"),
                yes_no(derived.get("acclimated"), _("Not recorded")),
            )
        )
    return rows


# -------------------------------------------------------------------------------- entry points

_TABLES = {
    "leg_check": lambda raw, derived: _leg_tables(raw, derived),
    "neuro": lambda raw, derived: _neuro_tables(raw),
    "cervical_rom": lambda raw, derived: _rom_tables(raw),
    "romberg": lambda raw, derived: _romberg_tables(raw),
    "fukuda": lambda raw, derived: _fukuda_tables(raw),
    "scoliosis": lambda raw, derived: _scoliosis_tables(raw),
    "blood_pressure": lambda raw, derived: _bp_tables(raw),
    "thermography": lambda raw, derived: _thermo_tables(raw),
    "palpation": lambda raw, derived: _palpation_tables(raw),
    "safety_screen": lambda raw, derived: _safety_tables(raw),
}


def entered_tables(kind: str, raw: Raw, derived: Raw | None = None) -> list[Table]:
    """The entered values as labelled tables. Entries this module does not know (none, for
    records saved by the current forms) come last, as stored."""
    derived = derived or {}
    builder = _TABLES.get(kind)
    try:
        tables, used = builder(raw, derived) if builder else ([], set())
    except (KeyError, TypeError, ValueError, AttributeError):
        tables, used = [], set()  # data the builder cannot read: list it as stored
    rest = tuple((str(k), str(v)) for k, v in raw.items() if k not in used and _present(v))
    if rest:
        tables.append(Table(_("Other entries"), rest))
    return tables


def computed_rows(kind: str, derived: Raw) -> list[tuple[str, str]]:
    """The derived values with labels and units; the algorithms that made them last."""
    try:
        if kind == "neuro":
            rows = _neuro_computed(derived)
        elif kind == "leg_check":
            rows = _leg_computed(derived)
        else:
            rows = _computed_other(kind, derived)
    except (KeyError, TypeError, ValueError, AttributeError):
        rows = [(str(k), str(v)) for k, v in derived.items() if k != "algorithms"]
    if derived.get("algorithms"):
        # Algorithm ids are provenance, shown verbatim as identifiers (not words to translate).
        ids = format_html_join(", ", "<code>{}</code>", ((str(a),) for a in derived["algorithms"]))
        rows.append((_("Algorithm"), ids))
    return rows


def summary(kind: str, raw: Raw, derived: Raw) -> str:
    """One line for lists (chart, visit), in the current language."""
    if kind == "leg_check":
        return _leg_summary(raw, derived)
    if kind == "neuro":
        return _neuro_summary(raw, derived)
    if kind == "cervical_rom":
        parts = [
            f"{label} {deg(raw[f'angle_{m}'])}"
            for m, label in L.MOVEMENT.items()
            if raw.get(f"angle_{m}") is not None
        ]
        painful = [str(L.MOVEMENT.get(m, m)) for m in derived.get("painful_movements") or []]
        text = ", ".join(parts)
        if painful:
            text += "; " + _("painful: %(movements)s") % {"movements": ", ".join(painful)}
        return text
    if kind == "romberg":
        return _tri(
            derived.get("romberg_positive"),
            _("Romberg positive"),
            _("Romberg negative"),
            _("Romberg not interpretable"),
        )
    if kind == "fukuda":
        return _fukuda_rotation(raw)
    if kind == "scoliosis":
        text = _("Adam's test positive") if raw.get("adams_positive") else _("Adam's test negative")
        if derived.get("max_atr_deg") is not None:
            text += ", " + _("largest ATR %(atr)s") % {"atr": deg(derived["max_atr_deg"])}
            if derived.get("refer"):
                text += " " + _("(refer)")
        return text
    if kind == "blood_pressure":
        arms = [
            _("%(arm)s %(systolic)s/%(diastolic)s mmHg")
            % {
                "arm": label,
                "systolic": raw.get(f"{side}_systolic"),
                "diastolic": raw.get(f"{side}_diastolic"),
            }
            for side, label in (("left", _("left arm")), ("right", _("right arm")))
            if raw.get(f"{side}_systolic") is not None
        ]
        return capfirst(" · ".join(arms))
    if kind == "thermography":
        try:
            count = len(thermo_lines(raw.get("readings") or ""))
        except ValueError:
            count = 0
        largest = derived.get("max_abs_differential_c")
        text = ngettext("%(n)s level", "%(n)s levels", count) % {"n": count}
        if largest is not None:
            text += ", " + _("largest |ΔT| %(t)s °C") % {"t": num(largest)}
        return text
    if kind == "palpation":
        return str(raw.get("findings") or "")[:120]
    return ""


def thermo_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]
