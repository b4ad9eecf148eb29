"""Neurological examination: reflexes, upper motor neuron signs, myotomes, dermatomes, gait.

All values are per side (the patient's left/right). Sources:
docs/sources.md, "Neurological examination" (NINDS scale: Hallett 1993, Litvan et al. 1996;
segments: StatPearls; reflex agreement: Stam & van Crevel 1990; the cluster: Cook et al. 2010)
and the red-flag table of docs/safety.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from atlaschart.measure.exam import _validate as v
from atlaschart.measure.exam._validate import Side
from atlaschart.measure.exam.errors import ExamValidationError
from atlaschart.measure.provenance import Algorithm
from atlaschart.measure.safety.cook import COOK_CLUSTER as COOK_CLUSTER
from atlaschart.measure.safety.cook import COOK_ITEMS as COOK_ITEMS
from atlaschart.measure.safety.cook import COOK_LR_NEGATIVE as COOK_LR_NEGATIVE
from atlaschart.measure.safety.cook import COOK_LR_POSITIVE as COOK_LR_POSITIVE
from atlaschart.measure.safety.cook import CookInterpretation as CookInterpretation
from atlaschart.measure.safety.cook import CookRule, age_item, cook_cluster

# --------------------------------------------------------------------------- deep tendon reflexes


class ReflexScale(StrEnum):
    """Grading scale of a deep tendon reflex; stored with every grade.

    ``NINDS``: NINDS Myotatic Reflex Scale (Hallett 1993; Litvan et al. 1996): 0 absent;
    1 small/trace or only with reinforcement; 2 lower half of normal; 3 upper half of normal;
    4 enhanced, clonus may be noted. ``PLUS_0_5``: the teaching scale 0, 1+ … 5+ (3+ brisk,
    4+ non-sustained clonus, 5+ sustained clonus; a textbook scale [R]). The two are not
    interconvertible, which is why the scale is stored.
    """

    NINDS = "ninds_0_4"
    PLUS_0_5 = "plus_0_5"


#: Valid grades per scale (integers; the 0–5+ scale's "3+" is stored as 3).
SCALE_GRADES: dict[ReflexScale, tuple[int, ...]] = {
    ReflexScale.NINDS: (0, 1, 2, 3, 4),
    ReflexScale.PLUS_0_5: (0, 1, 2, 3, 4, 5),
}


class Reflex(StrEnum):
    """The five primary deep tendon reflexes; segments in :data:`REFLEX_SEGMENTS`."""

    BICEPS = "biceps"
    BRACHIORADIALIS = "brachioradialis"
    TRICEPS = "triceps"
    PATELLAR = "patellar"
    ACHILLES = "achilles"


#: Spinal segments per reflex (StatPearls, "Physiology, Deep Tendon Reflexes"; docs/sources.md).
REFLEX_SEGMENTS: dict[Reflex, tuple[str, ...]] = {
    Reflex.BICEPS: ("C5", "C6"),
    Reflex.BRACHIORADIALIS: ("C5", "C6"),
    Reflex.TRICEPS: ("C7", "C8"),
    Reflex.PATELLAR: ("L2", "L3", "L4"),
    Reflex.ACHILLES: ("S1", "S2"),
}


def grade_label(scale: ReflexScale, grade: int) -> str:
    """Display form of a grade: NINDS ``"3"``, 0–5+ scale ``"3+"`` (0 is ``"0"`` on both)."""
    if scale is ReflexScale.PLUS_0_5 and grade > 0:
        return f"{grade}+"
    return str(grade)


@dataclass(frozen=True)
class DeepTendonReflex:
    """One reflex on one side. ``reinforced``: graded with reinforcement (Jendrassik etc.)."""

    reflex: Reflex
    side: Side
    scale: ReflexScale
    grade: int
    reinforced: bool = False

    def __post_init__(self) -> None:
        v.choice("reflex", self.reflex, Reflex)
        v.choice("side", self.side, Side)
        v.choice("scale", self.scale, ReflexScale)
        grades = SCALE_GRADES[self.scale]
        if isinstance(self.grade, bool) or not isinstance(self.grade, int):
            raise ExamValidationError("not_an_integer", "grade", value=str(self.grade))
        if self.grade not in grades:
            raise ExamValidationError(
                "grade_not_in_scale",
                "grade",
                scale=self.scale.value,
                choices=", ".join(grade_label(self.scale, g) for g in grades),
                value=self.grade,
            )
        v.boolean("reinforced", self.reinforced)

    @property
    def label(self) -> str:
        return grade_label(self.scale, self.grade)

    @property
    def segments(self) -> tuple[str, ...]:
        return REFLEX_SEGMENTS[self.reflex]


@dataclass(frozen=True)
class ReflexComparison:
    """Left vs right of one reflex graded on the same scale. ``difference`` = left − right."""

    reflex: Reflex
    scale: ReflexScale
    left_grade: int
    right_grade: int

    @property
    def difference(self) -> int:
        return self.left_grade - self.right_grade

    @property
    def asymmetric(self) -> bool:
        """Any grade difference. Descriptive only: examiners disagree on asymmetry in 45% of
        pairs (Stam & van Crevel 1990)."""
        return self.difference != 0


def compare_sides(reflexes: Iterable[DeepTendonReflex]) -> tuple[ReflexComparison, ...]:
    """Pair left and right grades of each reflex. Pairs graded on different scales, or with one
    side missing, are left out (the scales are not interconvertible)."""
    by_key = {(r.reflex, r.side): r for r in reflexes}
    out = []
    for reflex in Reflex:
        left, right = by_key.get((reflex, Side.LEFT)), by_key.get((reflex, Side.RIGHT))
        if left is not None and right is not None and left.scale is right.scale:
            out.append(ReflexComparison(reflex, left.scale, left.grade, right.grade))
    return tuple(out)


# ---------------------------------------------------------------- pathological reflexes, clonus


class PathologicalSign(StrEnum):
    """Upper motor neuron signs screened for myelopathy (the signs of Cook et al. 2010)."""

    HOFFMANN = "hoffmann"
    BABINSKI = "babinski"
    INVERTED_SUPINATOR = "inverted_supinator"


@dataclass(frozen=True)
class PathologicalReflex:
    """One pathological reflex tested on one side; ``positive`` is the examiner's judgement."""

    sign: PathologicalSign
    side: Side
    positive: bool

    def __post_init__(self) -> None:
        v.choice("sign", self.sign, PathologicalSign)
        v.choice("side", self.side, Side)
        v.boolean("positive", self.positive)


class ClonusSite(StrEnum):
    ANKLE = "ankle"
    PATELLAR = "patellar"
    WRIST = "wrist"


#: Upper bound for counted beats; beyond this the clonus is recorded as sustained.
MAX_CLONUS_BEATS = 100


@dataclass(frozen=True)
class Clonus:
    """Clonus at one site and side: counted ``beats`` (unsustained) or ``sustained``
    (whether it is sustained matters, so both are recorded). ``beats`` may also be given for a
    sustained clonus; it is required when not sustained (0 = no clonus)."""

    site: ClonusSite
    side: Side
    beats: int | None = None
    sustained: bool = False

    def __post_init__(self) -> None:
        v.choice("site", self.site, ClonusSite)
        v.choice("side", self.side, Side)
        v.boolean("sustained", self.sustained)
        if self.beats is None:
            if not self.sustained:
                raise ExamValidationError("beats_or_sustained", "beats")
        else:
            v.integer("beats", self.beats, 0, MAX_CLONUS_BEATS)

    def present(self, min_beats: int) -> bool:
        """Sustained, or at least ``min_beats`` beats."""
        return self.sustained or (self.beats is not None and self.beats >= min_beats)


# --------------------------------------------------------------------- myotomes, dermatomes, gait

#: Key muscle per myotome (ISNCSCI key muscles, ASIA 2019; docs/sources.md ``[asia-isncsci-2019]``).
MYOTOME_KEY_MUSCLES: dict[str, str] = {
    "C5": "elbow flexors",
    "C6": "wrist extensors",
    "C7": "elbow extensors",
    "C8": "finger flexors",
    "T1": "finger abductors",
    "L2": "hip flexors",
    "L3": "knee extensors",
    "L4": "ankle dorsiflexors",
    "L5": "long toe extensors",
    "S1": "ankle plantar flexors",
}

#: Dermatome levels accepted for sensory testing.
DERMATOME_LEVELS: tuple[str, ...] = (
    *(f"C{i}" for i in range(2, 9)),
    *(f"T{i}" for i in range(1, 13)),
    *(f"L{i}" for i in range(1, 6)),
    *(f"S{i}" for i in range(1, 6)),
)


@dataclass(frozen=True)
class Myotome:
    """Strength of a myotome's key muscle on the MRC scale 0 (no contraction) to 5 (normal)."""

    root: str
    side: Side
    mrc_grade: int

    def __post_init__(self) -> None:
        if self.root not in MYOTOME_KEY_MUSCLES:
            raise ExamValidationError(
                "invalid_choice", "root", choices=", ".join(MYOTOME_KEY_MUSCLES), value=self.root
            )
        v.choice("side", self.side, Side)
        v.integer("mrc_grade", self.mrc_grade, 0, 5)


class Sensation(StrEnum):
    NORMAL = "normal"
    REDUCED = "reduced"
    ABSENT = "absent"
    INCREASED = "increased"


@dataclass(frozen=True)
class Dermatome:
    """Sensation in one dermatome on one side (light touch or pinprick; the form says which)."""

    level: str
    side: Side
    sensation: Sensation

    def __post_init__(self) -> None:
        if self.level not in DERMATOME_LEVELS:
            raise ExamValidationError(
                "invalid_choice", "level", choices="C2–C8, T1–T12, L1–L5, S1–S5", value=self.level
            )
        v.choice("side", self.side, Side)
        v.choice("sensation", self.sensation, Sensation)


class GaitPattern(StrEnum):
    SPASTIC = "spastic"
    ATAXIC = "ataxic"
    ANTALGIC = "antalgic"
    STEPPAGE = "steppage"
    TRENDELENBURG = "trendelenburg"
    SHUFFLING = "shuffling"
    OTHER = "other"


@dataclass(frozen=True)
class Gait:
    """Observed gait. ``abnormal`` is the Cook cluster's "gait deviation" item."""

    abnormal: bool
    pattern: GaitPattern | None = None

    def __post_init__(self) -> None:
        v.boolean("abnormal", self.abnormal)
        if self.pattern is not None:
            v.choice("pattern", self.pattern, GaitPattern)
            if not self.abnormal:
                raise ExamValidationError("pattern_only_when_abnormal", "pattern")


# ------------------------------------------------------------------------------------ the exam


@dataclass(frozen=True)
class NeuroExam:
    """A neurological examination. Every part is optional; what is absent was not examined.

    Each (item, side) may be entered once: e.g. one biceps grade per side.
    """

    reflexes: tuple[DeepTendonReflex, ...] = ()
    pathological: tuple[PathologicalReflex, ...] = ()
    clonus: tuple[Clonus, ...] = ()
    myotomes: tuple[Myotome, ...] = ()
    dermatomes: tuple[Dermatome, ...] = ()
    gait: Gait | None = None

    def __post_init__(self) -> None:
        # Accept lists from callers but store tuples so the object stays immutable.
        for name in ("reflexes", "pathological", "clonus", "myotomes", "dermatomes"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        _unique("reflexes", [(r.reflex.value, r.side.value) for r in self.reflexes])
        _unique("pathological", [(p.sign.value, p.side.value) for p in self.pathological])
        _unique("clonus", [(c.site.value, c.side.value) for c in self.clonus])
        _unique("myotomes", [(m.root, m.side.value) for m in self.myotomes])
        _unique("dermatomes", [(d.level, d.side.value) for d in self.dermatomes])
        if self.gait is not None and not isinstance(self.gait, Gait):
            raise ExamValidationError("invalid_choice", "gait", choices="Gait", value=self.gait)

    def pathological_finding(self, sign: PathologicalSign) -> bool | None:
        """True if positive on either side; False only if tested on both sides and negative on
        both; None otherwise (not examined, or one side only and negative)."""
        return _two_sided([(p.side, p.positive) for p in self.pathological if p.sign is sign])


def _unique(name: str, keys: list[tuple[str, str]]) -> None:
    seen: set[tuple[str, str]] = set()
    for key in keys:
        if key in seen:
            raise ExamValidationError("duplicate", name, value=" ".join(key))
        seen.add(key)


def _two_sided(findings: list[tuple[Side, bool]]) -> bool | None:
    """Fail-closed combination: any positive -> True; negative only when both sides were tested."""
    if any(positive for _, positive in findings):
        return True
    if {side for side, _ in findings} == {Side.LEFT, Side.RIGHT}:
        return False
    return None


# ------------------------------------------------------------------------- Cook cluster, UMN signs

# The cluster itself is ``measure.safety.cook`` (one implementation, shared with the safety
# screen's rule N2); its names are re-exported here for the exam's callers.


@dataclass(frozen=True)
class CookClusterResult:
    """Cook myelopathy cluster. ``items`` maps each item to True/False/None (None = not examined).

    Rule (Cook C et al., J Man Manip Ther 2010; see ``measure.safety.cook``): >= 3 of 5 positive
    rules in (LR+ 30.9); <= 1 of 5 positive rules out (LR- 0.18). With items missing we fail
    closed: rule-out only if the count would stay <= 1 even were every missing item positive.
    """

    items: dict[str, bool | None]
    positive_count: int
    missing_count: int
    interpretation: CookInterpretation
    likelihood_ratio: float | None
    algorithm: Algorithm = field(default=COOK_CLUSTER)
    rules_in: bool | None = None
    """True: >= 3 positive; False: 3 cannot be reached even counting missing items; else None."""

    @property
    def complete(self) -> bool:
        return self.missing_count == 0


def cook_myelopathy_cluster(
    exam: NeuroExam, age_years: int | None, rule: CookRule | None = None
) -> CookClusterResult:
    """Compute the Cook myelopathy cluster from a neuro exam and the patient's age in years.

    ``age_years`` None means unknown (the item counts as missing). Age item: age > 45 (the
    ``rule``'s ``age_over_years``).
    """
    rule = rule or CookRule()
    if age_years is not None:
        v.integer("age_years", age_years, 0, 130)
    count = cook_cluster(
        {
            "gait_deviation": None if exam.gait is None else exam.gait.abnormal,
            "hoffmann": exam.pathological_finding(PathologicalSign.HOFFMANN),
            "inverted_supinator": exam.pathological_finding(PathologicalSign.INVERTED_SUPINATOR),
            "babinski": exam.pathological_finding(PathologicalSign.BABINSKI),
            "age_over_45": age_item(age_years, rule),
        },
        rule,
    )
    return CookClusterResult(
        count.items,
        count.positive_count,
        count.missing_count,
        count.interpretation,
        count.likelihood_ratio,
        rules_in=count.rules_in,
    )


@dataclass(frozen=True)
class NeuroRules:
    """Configurable thresholds for the upper motor neuron sign mapping.

    ``hyperreflexia_min_grade``: a DTR at or above this grade counts as hyperreflexia. NINDS 4
    ("enhanced") because NINDS 3 is explicitly "upper half of normal"; on the 0–5+ scale 3+
    ("brisk", above the normal 2+) so the screen fails closed (Hallett 1993; teaching scale [R]).
    ``clonus_min_beats``: beats that count as clonus when not sustained. No published number was
    found; default 1 (any recorded beat) fails closed. Clinicians may raise it.
    """

    hyperreflexia_min_grade: tuple[tuple[ReflexScale, int], ...] = (
        (ReflexScale.NINDS, 4),
        (ReflexScale.PLUS_0_5, 3),
    )
    clonus_min_beats: int = 1

    def __post_init__(self) -> None:
        v.integer("clonus_min_beats", self.clonus_min_beats, 1, MAX_CLONUS_BEATS)
        for scale, grade in self.hyperreflexia_min_grade:
            v.choice("scale", scale, ReflexScale)
            v.integer("hyperreflexia_min_grade", grade, 1, max(SCALE_GRADES[scale]))
        if {s for s, _ in self.hyperreflexia_min_grade} != set(ReflexScale):
            raise ExamValidationError("required", "hyperreflexia_min_grade")

    def min_grade(self, scale: ReflexScale) -> int:
        return dict(self.hyperreflexia_min_grade)[scale]


#: Keys of :func:`umn_safety_signs`, each True / False / None (None = not examined).
UMN_SIGN_KEYS: tuple[str, ...] = (
    "hoffmann",
    "babinski",
    "inverted_supinator",
    "clonus",
    "hyperreflexia",
    "gait_abnormal",
    "cook_cluster_positive",
)


def umn_safety_signs(
    exam: NeuroExam, age_years: int | None = None, rules: NeuroRules | None = None
) -> dict[str, bool | None]:
    """Upper motor neuron findings as clinician-sign keys for the safety screen.

    Feeds the red-flag table's rule N2 ("Cook cluster >= 3/5, or any new upper motor neuron
    sign (Hoffmann, Babinski, clonus, hyperreflexia)") and V4 ("unsteady gait"). Values:

    - ``hoffmann``, ``babinski``, ``inverted_supinator``: True if positive on either side; False
      only if tested negative on both sides; else None.
    - ``clonus``: True if any site/side is sustained or has >= ``rules.clonus_min_beats``; False if
      recorded on both sides without clonus; else None.
    - ``hyperreflexia``: True if any DTR grade >= the scale's threshold (:class:`NeuroRules`);
      False if at least one reflex was graded on both sides and none reached it; else None.
    - ``gait_abnormal``: the gait observation, None if not observed.
    - ``cook_cluster_positive``: True when >= 3 of 5 Cook items are positive; False when 3 cannot
      be reached even counting missing items as positive; else None.

    The safety screen should treat None as "not examined", never as "negative".
    """
    rules = rules or NeuroRules()
    cook = cook_myelopathy_cluster(exam, age_years)
    clonus = _two_sided([(c.side, c.present(rules.clonus_min_beats)) for c in exam.clonus])
    hyper = [(r.side, r.grade >= rules.min_grade(r.scale)) for r in exam.reflexes]
    if any(p for _, p in hyper):
        hyperreflexia: bool | None = True
    elif compare_sides(exam.reflexes):
        hyperreflexia = False
    else:
        hyperreflexia = None
    return {
        "hoffmann": cook.items["hoffmann"],
        "babinski": cook.items["babinski"],
        "inverted_supinator": cook.items["inverted_supinator"],
        "clonus": clonus,
        "hyperreflexia": hyperreflexia,
        "gait_abnormal": cook.items["gait_deviation"],
        "cook_cluster_positive": cook.rules_in,
    }
