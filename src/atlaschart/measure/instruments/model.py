"""Questionnaire definitions as data, and the value objects scoring returns.

An :class:`Instrument` says everything the scoring and change code needs: the items in their
published order (ids ``q1``..``qN``), each item's response options with the score each carries,
the recall period, the scoring rule, the missing-item rule, the direction (is a higher score
worse or better), the severity bands, MCID/MDC values with their sources, and the licence status.

Licence status decides what text ships with the code:

* ``free``: full English and Korean wording lives in this package;
* ``licensed``: only item ids, option scores and scoring ship; the clinic loads the wording from a
  file it is entitled to use (see :mod:`atlaschart.measure.instruments.wording`), and the form must
  refuse to show until it has one.

Source of every rule and threshold: the publications in docs/sources.md (Questionnaires), and the
JSON contract of the ``score`` and ``change`` commands (docs/cli.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from atlaschart.measure.provenance import Algorithm

LANGUAGES: tuple[str, ...] = ("en", "ko")

Direction = Literal["higher-is-worse", "higher-is-better"]
LicenceStatus = Literal["free", "licensed"]
AnswerKind = Literal["score", "index"]
"""``score``: the answer is the option's published score (NDI 0-5, DHI 0/2/4, ...).
``index``: the answer is the position of the chosen option, 0 = first (HIT-6, STarT Back item 9)."""

ScoringRule = Literal[
    "single-item",  # NPRS, GROC: the one item's score
    "sum",  # HIT-6, Bournemouth, DHI: sum of item scores
    "prorated-percent",  # NDI, ODI: sum / (5 x answered) x 100
    "count",  # RMDQ: number of items scored 1
    "start-back",  # Keele STarT Back: total 1-9, subscale 5-9, low/medium/high
    "activity-mean",  # PSFS: mean of the rated activities
]
MissingRule = Literal[
    "all-required",  # any unanswered or not-applicable item -> not scorable
    "prorate",  # drop unanswered items from the denominator, down to min_answered
    "unanswered-is-zero",  # RMDQ: an unticked or not-applicable statement scores 0 ("no")
    "rated-activities",  # PSFS: unrated activities are left out of the mean
]


def _check_text(text: Mapping[str, str], where: str) -> None:
    for language, value in text.items():
        if language not in LANGUAGES:
            raise ValueError(f"{where}: unknown language {language!r}")
        if not value.strip():
            raise ValueError(f"{where}: empty {language} text")


@dataclass(frozen=True)
class Option:
    """One response option: the score it carries as published, and its wording per language.

    ``text`` is empty for licensed instruments (wording comes from the clinic's pack)."""

    score: int
    text: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_text(self.text, f"option {self.score}")


@dataclass(frozen=True)
class Item:
    """One question. ``options`` are in published order; ``wording_options`` is how many option
    texts a clinic wording pack must give for it (6 statements for NDI, 2 end anchors for a 0-10
    scale, 0 for an RMDQ statement that is simply ticked)."""

    id: str
    options: tuple[Option, ...]
    answer_kind: AnswerKind = "score"
    text: Mapping[str, str] = field(default_factory=dict)
    wording_options: int = 0

    def __post_init__(self) -> None:
        if not self.id.startswith("q") or not self.id[1:].isdigit():
            raise ValueError(f"item id must look like q1, q2, ...: {self.id!r}")
        if not self.options:
            raise ValueError(f"{self.id}: no response options")
        if self.answer_kind == "score" and len({o.score for o in self.options}) != len(
            self.options
        ):
            raise ValueError(f"{self.id}: option scores must be distinct when answered by score")
        if self.wording_options < 0:
            raise ValueError(f"{self.id}: wording_options must be >= 0")
        _check_text(self.text, self.id)

    def option_for(self, value: int) -> Option | None:
        """The option an answer value picks, or ``None`` when the value is not valid here."""
        if self.answer_kind == "index":
            return self.options[value] if 0 <= value < len(self.options) else None
        for option in self.options:
            if option.score == value:
                return option
        return None

    def accepted_values(self) -> tuple[int, ...]:
        if self.answer_kind == "index":
            return tuple(range(len(self.options)))
        return tuple(o.score for o in self.options)


@dataclass(frozen=True)
class Band:
    """A severity band: a score belongs to the first band (in order) whose ``upper`` is >= it.

    Published bands are whole-number ranges ("5-14 mild", "15-24 moderate", ">34 complete").
    Reading each by its upper bound, as the published ">34" does for the top NDI band, gives
    prorated, non-integer scores a band too: NDI 14.00 -> mild, 14.44 -> moderate (above 14)."""

    label: str
    upper: float

    def __post_init__(self) -> None:
        if not self.label:
            raise ValueError("band label must be non-empty")


@dataclass(frozen=True)
class Threshold:
    """A change threshold in the instrument's score units, with where it comes from."""

    value: float
    source: str
    unit: Literal["points", "percent"] = "points"

    def __post_init__(self) -> None:
        if self.value < 0:
            raise ValueError("threshold must be >= 0")
        if not self.source:
            raise ValueError("threshold needs a source")


@dataclass(frozen=True)
class ChangeRule:
    """Default thresholds for :func:`atlaschart.measure.instruments.change.interpret_change`.

    ``None`` switches a criterion off. ``improved_percent`` and ``substantial_percent`` are
    percentages of the room to improve (for scales whose best score is 0 this is the percentage
    of the baseline, as in Ostelo 2008)."""

    mcid_points: float | None
    mdc_points: float | None
    improved_percent: float | None
    substantial_percent: float | None = 50.0
    source: str = ""

    def __post_init__(self) -> None:
        for name in ("mcid_points", "mdc_points", "improved_percent", "substantial_percent"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name} must be >= 0")
        if self.mcid_points is None and self.mdc_points is None and self.improved_percent is None:
            raise ValueError("a change rule needs an MCID, an MDC or a percentage")


@dataclass(frozen=True)
class Licence:
    """Who holds the rights, what we may ship, and the line to show under the form."""

    status: LicenceStatus
    holder: str
    notice: str
    terms: str

    def __post_init__(self) -> None:
        if not self.holder or not self.terms:
            raise ValueError("licence holder and terms must be given")


@dataclass(frozen=True)
class Instrument:
    """A questionnaire as data. See the module docstring."""

    id: str
    name: str
    version: str
    languages: tuple[str, ...]
    recall_period: Mapping[str, str]
    items: tuple[Item, ...]
    scoring_rule: ScoringRule
    missing_rule: MissingRule
    direction: Direction
    score_range: tuple[float, float]
    licence: Licence
    scoring_source: str
    bands: tuple[Band, ...] = ()
    min_answered: int = 0
    mcid: tuple[Threshold, ...] = ()
    mdc: tuple[Threshold, ...] = ()
    change_rule: ChangeRule | None = None
    title: Mapping[str, str] = field(default_factory=dict)
    instructions: Mapping[str, str] = field(default_factory=dict)
    translation_note: Mapping[str, str] = field(default_factory=dict)
    has_percent: bool = False

    def __post_init__(self) -> None:
        if not self.id or not self.version:
            raise ValueError("instrument id and version must be non-empty")
        expected = tuple(f"q{i}" for i in range(1, len(self.items) + 1))
        if tuple(item.id for item in self.items) != expected:
            raise ValueError(f"{self.id}: items must be q1..q{len(self.items)} in order")
        if self.score_range[0] >= self.score_range[1]:
            raise ValueError(f"{self.id}: score_range must be (low, high) with low < high")
        uppers = [band.upper for band in self.bands]
        if uppers != sorted(uppers) or len(set(uppers)) != len(uppers):
            raise ValueError(f"{self.id}: band upper bounds must increase")
        if self.bands and self.bands[-1].upper < self.score_range[1]:
            raise ValueError(f"{self.id}: the last band must reach the top of the score range")
        if self.min_answered > len(self.items):
            raise ValueError(f"{self.id}: min_answered exceeds the number of items")
        if self.licence.status == "free":
            for language in self.languages:
                missing = [i.id for i in self.items if language not in i.text]
                if missing or language not in self.title:
                    raise ValueError(f"{self.id}: free instrument lacks {language} text")
        else:
            if any(item.text for item in self.items):
                raise ValueError(f"{self.id}: licensed instrument must not ship item wording")

    @property
    def algorithm(self) -> Algorithm:
        """Provenance stored with every score: the instrument id and version *are* the scoring
        algorithm, because scoring rules are fixed per published version."""
        return Algorithm(f"instrument.{self.id}", self.version)

    @property
    def needs_wording_pack(self) -> bool:
        """True when the form may only be shown once the clinic has loaded the wording."""
        return self.licence.status == "licensed"

    @property
    def best_score(self) -> float:
        low, high = self.score_range
        return low if self.direction == "higher-is-worse" else high

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def band_for(self, value: float) -> str | None:
        for band in self.bands:
            if value <= band.upper:
                return band.label
        return None


@dataclass(frozen=True)
class Score:
    """The result of scoring one completed (or partly completed) questionnaire.

    ``score`` is in the instrument's own units (NDI 0-50, ODI 0-100, HIT-6 36-78, ...);
    ``percent`` is set only where the instrument defines one (NDI, ODI). ``answered`` counts items
    with a numeric answer ("na" and unanswered items are not counted). ``reason`` is ``None`` when
    scorable and otherwise says why not. ``subscores`` holds published subscales (STarT Back
    psychosocial subscale). ``algorithm`` is the provenance to store next to the value."""

    instrument: str
    version: str
    scorable: bool
    score: float | None
    percent: float | None
    band: str | None
    answered: int
    reason: str | None
    algorithm: Algorithm
    subscores: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.answered < 0:
            raise ValueError("answered must be >= 0")
        if self.scorable and (self.score is None or self.reason is not None):
            raise ValueError("a scorable result needs a score and no reason")
        if not self.scorable and (self.score is not None or not self.reason):
            raise ValueError("a result that is not scorable needs a reason and no score")

    def as_json(self) -> dict[str, object]:
        """The CLI/JSON shape of ``atlaschart score`` (docs/cli.md): exactly these eight keys."""
        return {
            "instrument": self.instrument,
            "version": self.version,
            "scorable": self.scorable,
            "score": plain_number(self.score),
            "percent": plain_number(self.percent),
            "band": self.band,
            "answered": self.answered,
            "reason": self.reason,
        }


def plain_number(value: float | None) -> float | int | None:
    """Whole numbers print as ints (``60`` not ``60.0``) so the JSON reads like the paper form."""
    if value is not None and float(value).is_integer():
        return int(value)
    return value
