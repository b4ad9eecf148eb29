"""Neurological examination: deep tendon and pathological reflexes, clonus, gait, myotomes and
dermatomes; derives the Cook myelopathy cluster and the upper motor neuron signs the safety
screen takes (``measure.exam.neuro``, docs/exam.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from atlaschart.exams import labels as L
from atlaschart.exams.adapt import SIDES, Raw, entry
from atlaschart.exams.kinds.base import Context, ExamKindSpec
from atlaschart.exams.kinds.form import ExamForm, Grid, int_field
from atlaschart.exams.wording import Entered, Table, label, side_lower, yes_no
from atlaschart.measure.exam import Side, parse_choice
from atlaschart.measure.exam.neuro import (
    COOK_CLUSTER,
    DERMATOME_LEVELS,
    MYOTOME_KEY_MUSCLES,
    Clonus,
    ClonusSite,
    DeepTendonReflex,
    Dermatome,
    Gait,
    GaitPattern,
    Myotome,
    NeuroExam,
    PathologicalReflex,
    PathologicalSign,
    Reflex,
    ReflexScale,
    Sensation,
    cook_myelopathy_cluster,
    grade_label,
    umn_safety_signs,
)


def myotome_key(root: str, side: str) -> str:
    return f"myotome_{root}_{side}"


def dermatome_key(level: str, side: str) -> str:
    return f"dermatome_{level}_{side}"


def myotome_label(root: str) -> str:
    return f"{root} — {label(L.MYOTOME_MUSCLE, root)}"


def mrc_key() -> str:
    return " · ".join(f"{g} {text}" for g, text in L.MRC_GRADE.items())


# ------------------------------------------------------------------------------------ form

FINDING_CHOICES = L.choices(L.FINDING, blank=gettext_lazy("Not tested"))
#: MRC grades offered on the form; the core (``Myotome.mrc_grade``) accepts the whole numbers 0–5.
MRC_CHOICES = [("", "—"), *((str(g), str(g)) for g in L.MRC_GRADE)]
GRADE_HELP = gettext_lazy("NINDS 0–4, or 0–5+ (enter 3 for 3+).")


class NeuroForm(ExamForm):
    scale = forms.ChoiceField(label=gettext_lazy("Reflex scale"), choices=L.choices(L.REFLEX_SCALE))
    reinforced = forms.BooleanField(
        label=gettext_lazy("With reinforcement (Jendrassik)"), required=False
    )
    gait = forms.ChoiceField(
        label=gettext_lazy("Gait"),
        required=False,
        choices=L.choices(L.GAIT, blank=gettext_lazy("Not observed")),
    )
    gait_pattern = forms.ChoiceField(
        label=gettext_lazy("Gait pattern"),
        required=False,
        choices=L.choices(L.GAIT_PATTERN, blank="—"),
    )
    sensory_modality = forms.ChoiceField(
        label=gettext_lazy("Sensation tested with"),
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

        for reflex, text in L.REFLEX.items():
            for side in SIDES:
                cell(
                    f"reflex_{reflex}_{side}",
                    text,
                    side,
                    int_field(min_value=0, max_value=5, help_text=GRADE_HELP),
                )
        for sign, text in L.PATHOLOGICAL.items():
            for side in SIDES:
                cell(
                    f"{sign}_{side}",
                    text,
                    side,
                    forms.ChoiceField(choices=FINDING_CHOICES, required=False),
                )
        for side in SIDES:
            cell(f"clonus_{side}_beats", _("Ankle clonus beats"), side, int_field(min_value=0))
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
                    myotome_key(root, side),
                    myotome_label(root),
                    side,
                    int_field(widget=forms.Select(choices=MRC_CHOICES)),
                )
        sensation = L.choices(L.SENSATION, blank=_("Not tested"))
        for level in DERMATOME_LEVELS:
            for side in SIDES:
                cell(
                    dermatome_key(level, side),
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
                [(text, [f"reflex_{r}_{s}" for s in SIDES]) for r, text in L.REFLEX.items()],
                GRADE_HELP,
                before="gait",
            ),
            Grid(
                _("Pathological reflexes"),
                (_("Sign"), *sides),
                [(text, [f"{p}_{s}" for s in SIDES]) for p, text in L.PATHOLOGICAL.items()],
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
                    (myotome_label(root), [myotome_key(root, s) for s in SIDES])
                    for root in MYOTOME_KEY_MUSCLES
                ],
                f"{L.MRC_SCALE_NAME}: {mrc_key()}. {_('Leave blank what was not tested.')}",
                collapsible=True,
            ),
            Grid(
                _("Dermatomes (sensation)"),
                (_("Level"), *sides),
                [(level, [dermatome_key(level, s) for s in SIDES]) for level in DERMATOME_LEVELS],
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


# ------------------------------------------------------------------------------ derivation


def _dermatome(level: str, side: str, value: object) -> Dermatome:
    return Dermatome(level, Side(side), parse_choice(Sensation, "sensation", value))


def neuro_exam(raw: Raw) -> NeuroExam:
    """The core's exam from the raw inputs (blank entries are "not tested")."""
    scale = parse_choice(ReflexScale, "scale", raw.get("scale") or ReflexScale.NINDS.value)
    reinforced = bool(raw.get("reinforced"))
    reflexes = [
        entry(key, DeepTendonReflex, reflex, Side(side), scale, grade, reinforced)
        for reflex in Reflex
        for side in SIDES
        if (grade := raw.get(key := f"reflex_{reflex.value}_{side}")) is not None
    ]
    pathological = [
        PathologicalReflex(sign, Side(side), raw[key] == "positive")
        for sign in PathologicalSign
        for side in SIDES
        if raw.get(key := f"{sign.value}_{side}") in ("positive", "negative")
    ]
    clonus = [
        Clonus(
            ClonusSite.ANKLE,
            Side(side),
            raw.get(f"clonus_{side}_beats"),
            bool(raw.get(f"clonus_{side}_sustained")),
        )
        for side in SIDES
        if raw.get(f"clonus_{side}_beats") is not None or raw.get(f"clonus_{side}_sustained")
    ]
    gait = None
    if raw.get("gait") in ("normal", "abnormal"):
        pattern = raw.get("gait_pattern") or None
        gait = Gait(
            raw["gait"] == "abnormal",
            None if pattern is None else parse_choice(GaitPattern, "gait_pattern", pattern),
        )
    # Myotomes (MRC 0–5) and dermatomes (sensation) per root/level and side; blank = not tested.
    myotomes = [
        entry(key, Myotome, root, Side(side), grade)
        for root in MYOTOME_KEY_MUSCLES
        for side in SIDES
        if (grade := raw.get(key := myotome_key(root, side))) not in (None, "")
    ]
    dermatomes = [
        entry(key, _dermatome, level, side, value)
        for level in DERMATOME_LEVELS
        for side in SIDES
        if (value := raw.get(key := dermatome_key(level, side))) not in (None, "")
    ]
    return NeuroExam(
        tuple(reflexes),
        tuple(pathological),
        tuple(clonus),
        tuple(myotomes),
        tuple(dermatomes),
        gait=gait,
    )


def derive(raw: Raw, context: Context) -> Raw:
    exam = neuro_exam(raw)
    cook = cook_myelopathy_cluster(exam, context.age_years)
    signs = umn_safety_signs(exam, context.age_years)
    return {
        "cook_positive_count": cook.positive_count,
        "cook_missing_count": cook.missing_count,
        "cook_interpretation": cook.interpretation.value,
        "umn_signs": signs,
        "algorithms": [COOK_CLUSTER.label],
    }


# -------------------------------------------------------------------------------- display


def _reflex_scale(raw: Raw) -> ReflexScale:
    try:
        return ReflexScale(raw.get("scale") or ReflexScale.NINDS.value)
    except ValueError:
        return ReflexScale.NINDS


def _grade(scale: ReflexScale, value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return grade_label(scale, value)
    return "—" if value in (None, "") else str(value)


def _findings(raw: Raw) -> list[str]:
    parts = []
    weak = [
        f"{root} {side_lower(side)} {raw[key]}/5"
        for root in MYOTOME_KEY_MUSCLES
        for side in SIDES
        if isinstance(raw.get(key := f"myotome_{root}_{side}"), int) and raw[key] < 5
    ]
    if weak:
        parts.append(_("strength below 5/5: %(items)s") % {"items": ", ".join(weak)})
    altered = [
        f"{level} {side_lower(side)} {label(L.SENSATION, raw[key]).lower()}"
        for level in DERMATOME_LEVELS
        for side in SIDES
        if raw.get(key := f"dermatome_{level}_{side}") not in (None, "", "normal")
    ]
    if altered:
        parts.append(_("sensation: %(items)s") % {"items": ", ".join(altered)})
    return parts


def summary(raw: Raw, derived: Raw) -> str:
    parts = []
    if "cook_positive_count" in derived:
        params = {
            "positive": derived["cook_positive_count"],
            "missing": derived.get("cook_missing_count", 0),
            "interpretation": label(L.COOK, derived.get("cook_interpretation")),
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
    parts.extend(_findings(raw))
    return "; ".join(parts)


def entered(raw: Raw, derived: Raw) -> Entered:
    used: set[str] = {"scale", "reinforced", "gait", "gait_pattern", "sensory_modality"}
    sides = tuple(str(L.PATIENT_SIDE[s]) for s in SIDES)
    tables = [t for build in _ENTERED_TABLES if (t := build(raw, sides, used)) is not None]
    return tables, used


# Each builder adds the fields it reads to ``used`` and returns its table, or None when nothing
# of it was entered.


def _reflex_table(raw: Raw, sides: tuple[str, ...], used: set[str]) -> Table | None:
    scale = _reflex_scale(raw)
    rows = []
    for reflex in Reflex:
        keys = [f"reflex_{reflex.value}_{side}" for side in SIDES]
        used.update(keys)
        if any(raw.get(k) is not None for k in keys):
            rows.append((str(L.REFLEX[reflex]), *(_grade(scale, raw.get(k)) for k in keys)))
    if not rows:
        return None
    note = f"{L.REFLEX_SCALE_NAME[scale]}: {L.REFLEX_SCALE_KEY[scale]}."
    if raw.get("reinforced"):
        note += " " + _("Graded with reinforcement (Jendrassik).")
    return Table(_("Deep tendon reflexes"), tuple(rows), (_("Reflex"), *sides), note)


def _pathological_table(raw: Raw, sides: tuple[str, ...], used: set[str]) -> Table | None:
    rows = []
    for sign in PathologicalSign:
        keys = [f"{sign.value}_{side}" for side in SIDES]
        used.update(keys)
        if any(raw.get(k) for k in keys):
            rows.append(
                (
                    str(L.PATHOLOGICAL[sign]),
                    *(
                        label(L.FINDING, raw.get(k)) if raw.get(k) else _("Not tested")
                        for k in keys
                    ),
                )
            )
    if not rows:
        return None
    return Table(_("Pathological reflexes"), tuple(rows), (_("Sign"), *sides))


def _clonus_table(raw: Raw, sides: tuple[str, ...], used: set[str]) -> Table | None:
    cells = []
    for side in SIDES:
        beats, sustained = raw.get(f"clonus_{side}_beats"), raw.get(f"clonus_{side}_sustained")
        used.update({f"clonus_{side}_beats", f"clonus_{side}_sustained"})
        words = [_("sustained")] if sustained else []
        if isinstance(beats, int):
            words.append(ngettext("%(n)s beat", "%(n)s beats", beats) % {"n": beats})
        cells.append(", ".join(words) or "—")
    if all(c == "—" for c in cells):
        return None
    return Table(_("Clonus"), ((_("Ankle"), *cells),), (_("Site"), *sides))


def _myotome_table(raw: Raw, sides: tuple[str, ...], used: set[str]) -> Table | None:
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
    if not rows:
        return None
    return Table(
        _("Myotomes (key muscle strength)"),
        tuple(rows),
        (_("Root (key muscle)"), *sides),
        f"{L.MRC_SCALE_NAME}: {mrc_key()}.",
    )


def _dermatome_table(raw: Raw, sides: tuple[str, ...], used: set[str]) -> Table | None:
    rows = []
    for level in DERMATOME_LEVELS:
        keys = [f"dermatome_{level}_{side}" for side in SIDES]
        used.update(keys)
        if any(raw.get(k) for k in keys):
            rows.append((level, *(label(L.SENSATION, raw.get(k)) for k in keys)))
    if not rows:
        return None
    modality = raw.get("sensory_modality")
    note = (
        _("Sensation tested with: %(modality)s.")
        % {"modality": label(L.SENSORY_MODALITY, modality)}
        if modality
        else ""
    )
    return Table(_("Dermatomes (sensation)"), tuple(rows), (_("Level"), *sides), note)


def _gait_table(raw: Raw, sides: tuple[str, ...], used: set[str]) -> Table | None:
    if not raw.get("gait"):
        return None
    value = label(L.GAIT, raw.get("gait"))
    if raw.get("gait_pattern"):
        value += f" — {label(L.GAIT_PATTERN, raw.get('gait_pattern'))}"
    return Table(_("Gait"), ((_("Gait"), value),))


_ENTERED_TABLES: tuple[Callable[[Raw, tuple[str, ...], set[str]], Table | None], ...] = (
    _reflex_table,
    _pathological_table,
    _clonus_table,
    _myotome_table,
    _dermatome_table,
    _gait_table,
)


def computed(derived: Raw) -> list[tuple[str, str]]:
    rows = []
    if "cook_positive_count" in derived:
        rows.append(
            (
                _("Cook myelopathy cluster"),
                _("%(positive)s of 5 positive, %(missing)s not examined: %(interpretation)s")
                % {
                    "positive": derived["cook_positive_count"],
                    "missing": derived.get("cook_missing_count", 0),
                    "interpretation": label(L.COOK, derived.get("cook_interpretation")),
                },
            )
        )
    for key, value in (derived.get("umn_signs") or {}).items():
        rows.append((str(L.UMN_SIGN.get(key, key)), yes_no(value)))
    return rows


KIND = ExamKindSpec(
    "neuro",
    gettext_lazy("Neurological examination"),
    NeuroForm,
    derive,
    summary,
    entered,
    computed,
    feeds_safety_screen=True,
)
