"""Per-region pain re-assessment: each body-map region's change against its own baseline.

A body map records, per region, a pain intensity on the 0-10 numeric rating scale (NPRS) and the
qualities of the pain (aching, burning, ...). A follow-up re-asks every region marked before and
lets the patient add new ones. This module compares, region by region, the latest reading with
the region's **baseline** (its first reading: the intake for regions marked then, the follow-up
where it first appeared for a region added later).

Public API::

    RegionReading(intensity_0_10, qualities)            one region at one assessment
    readings_from_answers(answers, region_keys) -> {region: RegionReading}
    region_change(region, baseline, latest, local=..., rule=...) -> RegionChange
    compare_regions(assessments, local=(), rules=None) -> RegionSummary
    REGION_CHANGE_RULE                                   the default thresholds (configurable)

Algorithm (``REGION_CHANGE_ALGORITHM``), units are NPRS points (0-10, higher is worse):

1. ``change_points = baseline - latest`` (positive = less pain).
2. ``better`` when ``change_points >= max(MCID, MDC)``: the decrease is both clinically important
   and beyond measurement error. ``worse`` when the increase is ``>= MDC`` (the MCID when no MDC
   is set): a rise past measurement error is reported even from a low baseline.
3. ``little-room`` when the baseline is below ``max(MCID, MDC)`` and the region is not worse: no
   decrease could be told apart from measurement error (e.g. baseline 1 with threshold 2).
4. Otherwise ``unchanged`` (within measurement error).
5. ``new``: the region has a single reading (added at the latest assessment); ``not-rated``: the
   region had a reading but was left unanswered at the latest assessment (never read as 0).

Defaults (:data:`REGION_CHANGE_RULE`): MCID 2 points (Farrar et al. 2001, Pain 94:149-158;
Ostelo et al. 2008, Spine 33:90-94) and MDC 2 points (about 2 points in low back pain, Ostelo et
al. 2008). Neck pain has a larger published MDC, 4.0 points (Kovacs et al. 2008, BMC
Musculoskelet Disord 9:43): pass ``rules={"neck": ChangeRule(1.5, 4.0, None, None, ...)}`` to
use it. The percentage criteria of :func:`interpret_change` are not applied per region: the
region's rule is in points only.

``local`` marks the regions a clinician confirmed as the chief complaint; every other region is
``distant``. The comparison describes change over time; it says nothing about what caused it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from atlaschart.measure.instruments.model import ChangeRule
from atlaschart.measure.provenance import Algorithm

REGION_CHANGE_ALGORITHM = Algorithm("instrument.region-change", "1")

REGION_CHANGE_RULE = ChangeRule(
    mcid_points=2,
    mdc_points=2,
    improved_percent=None,
    substantial_percent=None,
    source=(
        "NPRS: MCID 2 points (Farrar et al. 2001; Ostelo et al. 2008); "
        "MDC about 2 points (Ostelo et al. 2008)"
    ),
)
"""Default per-region thresholds, in NPRS points."""

REGION_CHANGE_SOURCES = "Farrar et al. 2001, Pain; Ostelo et al. 2008, Spine"
"""The publications behind :data:`REGION_CHANGE_RULE`, as a citation (no prose to translate)."""

RegionCategory = Literal["better", "unchanged", "worse", "little-room", "new", "not-rated"]
CATEGORIES: tuple[RegionCategory, ...] = (
    "better",
    "unchanged",
    "worse",
    "little-room",
    "new",
    "not-rated",
)


@dataclass(frozen=True)
class RegionReading:
    """One region at one assessment: NPRS intensity (0-10 points) and the pain's qualities."""

    intensity_0_10: int
    qualities: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if isinstance(self.intensity_0_10, bool) or not isinstance(self.intensity_0_10, int):
            raise ValueError("intensity_0_10 must be an integer")
        if not 0 <= self.intensity_0_10 <= 10:
            raise ValueError("intensity_0_10 must be between 0 and 10")
        object.__setattr__(self, "qualities", frozenset(self.qualities))


@dataclass(frozen=True)
class RegionChange:
    """A region's change from its baseline reading to its latest one.

    ``change_points`` is oriented: positive = less pain (NPRS points), ``None`` when there is no
    pair to compare. ``baseline_index`` / ``latest_index`` are positions in the assessment
    sequence given to :func:`compare_regions` (``None`` when not applicable)."""

    region: str
    local: bool
    category: RegionCategory
    baseline: RegionReading | None
    latest: RegionReading | None
    change_points: int | None
    rule: ChangeRule
    baseline_index: int | None = None
    latest_index: int | None = None
    qualities_added: frozenset[str] = frozenset()
    qualities_gone: frozenset[str] = frozenset()
    algorithm: Algorithm = REGION_CHANGE_ALGORITHM

    @property
    def compared(self) -> bool:
        """Whether a baseline and a later reading were compared (better/unchanged/worse/room)."""
        return self.category in ("better", "unchanged", "worse", "little-room")

    def as_json(self) -> dict[str, object]:
        return {
            "region": self.region,
            "local": self.local,
            "category": self.category,
            "baseline": None if self.baseline is None else self.baseline.intensity_0_10,
            "latest": None if self.latest is None else self.latest.intensity_0_10,
            "change_points": self.change_points,
            "qualities_added": sorted(self.qualities_added),
            "qualities_gone": sorted(self.qualities_gone),
            "thresholds": {
                "mcid_points": self.rule.mcid_points,
                "mdc_points": self.rule.mdc_points,
                "source": self.rule.source,
            },
            "algorithm": self.algorithm.label,
        }


@dataclass(frozen=True)
class RegionSummary:
    """Every region's change, in the order the regions were first marked."""

    changes: tuple[RegionChange, ...] = field(default_factory=tuple)

    def of(self, category: RegionCategory, *, local: bool | None = None) -> tuple[str, ...]:
        """The regions in ``category`` (all, or only local / only distant ones)."""
        return tuple(
            c.region
            for c in self.changes
            if c.category == category and (local is None or c.local == local)
        )

    def count(self, category: RegionCategory, *, local: bool | None = None) -> int:
        return len(self.of(category, local=local))

    def compared(self, *, local: bool | None = None) -> int:
        """How many regions have a baseline and a later reading (the summary's denominator)."""
        return sum(1 for c in self.changes if c.compared and (local is None or c.local == local))

    def part(self, *, local: bool) -> RegionSummary:
        return RegionSummary(tuple(c for c in self.changes if c.local == local))

    def as_json(self) -> dict[str, object]:
        return {
            "compared": self.compared(),
            "counts": {category: self.count(category) for category in CATEGORIES},
            "regions": [c.as_json() for c in self.changes],
        }


def _threshold(value: float | None) -> float:
    return 0.0 if value is None else float(value)


def region_change(
    region: str,
    baseline: RegionReading,
    latest: RegionReading | None,
    *,
    local: bool = False,
    rule: ChangeRule = REGION_CHANGE_RULE,
    baseline_index: int | None = None,
    latest_index: int | None = None,
) -> RegionChange:
    """Classify one region's change from ``baseline`` to ``latest`` (module docstring, 1-4).

    ``latest`` ``None`` means the region was left unanswered at the latest assessment."""
    if latest is None:
        return RegionChange(
            region, local, "not-rated", baseline, None, None, rule, baseline_index, None
        )
    change = baseline.intensity_0_10 - latest.intensity_0_10
    better_at = max(_threshold(rule.mcid_points), _threshold(rule.mdc_points))
    worse_limit = rule.mdc_points if rule.mdc_points is not None else rule.mcid_points
    category: RegionCategory
    if worse_limit is not None and change < 0 and -change >= worse_limit:
        category = "worse"
    elif baseline.intensity_0_10 < better_at:
        category = "little-room"
    elif change > 0 and change >= better_at:
        category = "better"
    else:
        category = "unchanged"
    return RegionChange(
        region=region,
        local=local,
        category=category,
        baseline=baseline,
        latest=latest,
        change_points=change,
        rule=rule,
        baseline_index=baseline_index,
        latest_index=latest_index,
        qualities_added=latest.qualities - baseline.qualities,
        qualities_gone=baseline.qualities - latest.qualities,
    )


def compare_regions(
    assessments: Sequence[Mapping[str, RegionReading]],
    local: Iterable[str] = (),
    rules: Mapping[str, ChangeRule] | None = None,
    default_rule: ChangeRule = REGION_CHANGE_RULE,
) -> RegionSummary:
    """Compare each region's latest reading with its baseline.

    ``assessments`` are the body maps in time order (intake first, then each follow-up), each
    ``{region key: reading}`` holding only the regions answered then. A region's baseline is its
    first reading; its latest is its reading in the **last** assessment (``not-rated`` when the
    last assessment left it out, ``new`` when the last assessment is its first). ``rules`` gives
    a region its own thresholds (e.g. the neck's larger MDC)."""
    local_set = frozenset(local)
    rules = rules or {}
    first_seen: dict[str, int] = {}
    for index, readings in enumerate(assessments):
        for region in readings:
            first_seen.setdefault(region, index)
    if not assessments:
        return RegionSummary()
    last = len(assessments) - 1
    changes: list[RegionChange] = []
    for region, index in first_seen.items():
        rule = rules.get(region, default_rule)
        baseline = assessments[index][region]
        is_local = region in local_set
        if index == last:
            changes.append(
                RegionChange(region, is_local, "new", None, baseline, None, rule, None, last)
            )
            continue
        changes.append(
            region_change(
                region,
                baseline,
                assessments[last].get(region),
                local=is_local,
                rule=rule,
                baseline_index=index,
                latest_index=last if region in assessments[last] else None,
            )
        )
    return RegionSummary(tuple(changes))


def readings_from_answers(
    answers: Mapping[str, Any], region_keys: Iterable[str]
) -> dict[str, RegionReading]:
    """The body map of one stored form: ``pain_<region>`` (text "0".."10") and
    ``quality_<region>`` (list of quality keys) for each of ``region_keys``.

    A region counts as answered only when its intensity is; a value that is not a whole number
    from 0 to 10 is left out (never guessed)."""
    readings: dict[str, RegionReading] = {}
    for region in region_keys:
        raw = answers.get(f"pain_{region}")
        if isinstance(raw, bool) or raw in (None, ""):
            continue
        try:
            intensity = int(str(raw).strip())
        except ValueError:
            continue
        if not 0 <= intensity <= 10:
            continue
        qualities = answers.get(f"quality_{region}") or []
        if not isinstance(qualities, list):
            qualities = [qualities]
        readings[region] = RegionReading(intensity, frozenset(str(q) for q in qualities))
    return readings
