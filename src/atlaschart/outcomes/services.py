"""Clinic outcomes: per questionnaire, the cohort with a baseline in a date range and its change.

The cohort and the figures (docs/outcomes.md states them for the clinic):

* **Baseline**: a patient's first scorable response of the questionnaire. The patient belongs to
  the cohort when that baseline falls within ``[date_from, date_to]`` (dates in the clinic's
  time zone, both days included).
* **Follow-up**: the patient's latest scorable response of the same version and language after
  the baseline, up to ``date_to``. A later form of another version or language cannot be
  compared (the core calls it not evaluable) and does not count as a follow-up.
* **Lost to follow-up** = baseline_n - followup_n: shown, never dropped from the denominator.
  Responder rates are over the patients with a follow-up; the lost are reported beside them.
* **Change** is oriented so that positive means improvement (baseline - follow-up where higher
  is worse), in the questionnaire's points. Responders by MCID / by MDC use the thresholds of
  the core's change rule (``measure.instruments``), with Wilson 95 % intervals
  (``measure.instruments.stats``). Median change with its interquartile range (Hyndman & Fan 7).
* **Regions** (local versus distant regions improved): for each patient whose intake was
  submitted in the range, the body maps of the intake and of every follow-up up to ``date_to``
  are compared region by region by the core (``measure.instruments.regions.compare_regions``:
  NPRS points, better = a decrease of at least max(MCID, MDC), 2 points by default). ``n``
  counts the regions compared (a baseline and a later reading), ``improved_n`` those better;
  local = the regions a clinician last confirmed as the chief complaint, distant = the others.
  A patient with no follow-up adds no region (the patient is lost, counted above).

Filters narrow the patients: a complaint region marked with pain > 0 on the intake body map, a
clinician who saw the patient at a visit, a technique given to the patient.

The figures are aggregates: no patient is named, so no per-patient access row is written; the
page and the export are logged by the view as one row each (no patient).

One query for the scores (ordered by patient, questionnaire and time, read as tuples), plus one
per filter; the grouping is a single pass in Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import BooleanField, Case, Count, F, QuerySet, RowRange, Value, When, Window
from django.db.models.fields.json import KT
from django.db.models.functions import LastValue, RowNumber
from django.http import HttpRequest
from django.utils import timezone

from atlaschart.intake.access import (
    followups_of_clinic,
    intakes_of_clinic,
    local_regions_of_clinic,
    responses_of_clinic,
)
from atlaschart.intake.steps import REGIONS
from atlaschart.lib.actor import Actor
from atlaschart.measure.instruments import INSTRUMENTS
from atlaschart.measure.instruments.regions import compare_regions, readings_from_answers
from atlaschart.measure.instruments.stats import (
    Proportion,
    Spread,
    median_iqr,
    proportion,
    responders,
)
from atlaschart.visits.access import treatments_of_clinic, visits_of_clinic

Who = Actor | HttpRequest

# Small cells: counts of 1 to 4 patients are shown as "<5" in exports (re-identification risk in
# a small clinic; the threshold most national statistics offices use for health tables).
SMALL_CELL = 5


class OutcomesError(ValueError):
    """Bad filter input; the message is in the user's language."""


@dataclass(frozen=True)
class Filters:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    instrument: str | None = None
    region: str | None = None
    clinician_id: int | None = None
    technique: str | None = None


@dataclass(frozen=True)
class InstrumentOutcome:
    instrument: str
    baseline_n: int
    followup_n: int
    lost_n: int
    responders_mcid: Proportion | None
    responders_mdc: Proportion | None
    mcid_points: float | None
    mdc_points: float | None
    spread: Spread

    @property
    def lost(self) -> Proportion:
        return proportion(self.lost_n, self.baseline_n)

    def as_json(self) -> dict[str, Any]:
        def responder(value: Proportion | None) -> dict[str, Any] | None:
            return None if value is None else value.as_json()

        return {
            "baseline_n": self.baseline_n,
            "followup_n": self.followup_n,
            "lost_n": self.lost_n,
            "responders_mcid": responder(self.responders_mcid),
            "responders_mdc": responder(self.responders_mdc),
            "median_change": _rounded(self.spread.median),
            "iqr": [] if self.spread.iqr is None else [_rounded(v) for v in self.spread.iqr],
        }


@dataclass(frozen=True)
class RegionOutcome:
    n: int
    improved_n: int

    @property
    def improved(self) -> Proportion:
        return proportion(self.improved_n, self.n)

    def as_json(self) -> dict[str, Any]:
        shown = self.improved.as_json()
        return {
            "n": self.n,
            "improved_n": self.improved_n,
            "rate": shown["rate"],
            "ci95": shown["ci95"],
        }


@dataclass(frozen=True)
class Outcomes:
    filters: Filters
    instruments: dict[str, InstrumentOutcome]
    local: RegionOutcome = field(default_factory=lambda: RegionOutcome(0, 0))
    distant: RegionOutcome = field(default_factory=lambda: RegionOutcome(0, 0))

    def as_json(self, clinic_slug: str) -> dict[str, Any]:
        return {
            "clinic": clinic_slug,
            "from": None if self.filters.date_from is None else self.filters.date_from.isoformat(),
            "to": None if self.filters.date_to is None else self.filters.date_to.isoformat(),
            "instruments": {key: value.as_json() for key, value in self.instruments.items()},
            "regions": {"local": self.local.as_json(), "distant": self.distant.as_json()},
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def outcome_instruments() -> list[str]:
    """Questionnaires that are outcome measures (the core has a change rule for them)."""
    return sorted(key for key, inst in INSTRUMENTS.items() if inst.change_rule is not None)


def parse_date(text: str | None, what: str) -> dt.date | None:
    from django.utils.translation import gettext as _

    if text is None or text.strip() == "":
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise OutcomesError(
            _("%(what)s is not a date (write it as YYYY-MM-DD): %(text)s")
            % {"what": what, "text": text[:40]}
        ) from None


def check_filters(filters: Filters) -> None:
    from django.utils.translation import gettext as _

    if filters.instrument is not None and filters.instrument not in outcome_instruments():
        raise OutcomesError(
            _("unknown outcome questionnaire: %(id)s") % {"id": filters.instrument[:40]}
        )
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise OutcomesError(_("the start date is after the end date"))


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _patient_filter(who: Who, filters: Filters) -> set[int] | None:
    """The patient ids the filters allow, or ``None`` for no patient filter."""
    allowed: set[int] | None = None

    def narrow(ids: Iterable[int]) -> None:
        nonlocal allowed
        found = set(ids)
        allowed = found if allowed is None else allowed & found

    if filters.region:
        key = f"pain_{filters.region}"
        narrow(
            patient_id
            for patient_id, answers in intakes_of_clinic(who).values_list("patient_id", "answers")
            if _marked(answers, key)
        )
    if filters.clinician_id is not None:
        narrow(
            visits_of_clinic(who)
            .filter(clinician_id=filters.clinician_id)
            .values_list("patient_id", flat=True)
        )
    if filters.technique:
        narrow(
            treatments_of_clinic(who)
            .filter(technique=filters.technique)
            .values_list("visit__patient_id", flat=True)
        )
    return allowed


def _marked(answers: Any, key: str) -> bool:
    if not isinstance(answers, dict):
        return False
    try:
        return float(answers.get(key) or 0) > 0
    except (TypeError, ValueError):
        return False


def _pairs(who: Who, filters: Filters) -> QuerySet[Any]:
    """One row per patient and questionnaire: the baseline (first scorable form) with the latest
    form of the same version and language, chosen by the database with window functions so that
    20,000 rows come back instead of 100,000.

    Row: (instrument, baseline before the range?, baseline score, latest comparable score,
    number of comparable forms including the baseline)."""
    rows = responses_of_clinic(who).filter(scorable=True, score__isnull=False)
    if filters.instrument:
        rows = rows.filter(instrument=filters.instrument)
    else:
        rows = rows.filter(instrument__in=outcome_instruments())
    if filters.date_to is not None:
        rows = rows.filter(recorded_at__lt=_day_start(filters.date_to + dt.timedelta(days=1)))
    if filters.date_from is not None:
        before: Case | Value = Case(
            When(recorded_at__lt=_day_start(filters.date_from), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    else:
        before = Value(False, output_field=BooleanField())
    in_time = [F("recorded_at").asc(), F("id").asc()]
    per_form = [F("patient_id"), F("instrument")]
    comparable = [*per_form, F("version"), F("language")]
    return (
        rows.annotate(
            before_range=before,
            place=Window(RowNumber(), partition_by=per_form, order_by=in_time),
            latest_score=Window(
                LastValue("score"),
                partition_by=comparable,
                order_by=in_time,
                frame=RowRange(start=None, end=None),
            ),
            comparable_n=Window(Count("id"), partition_by=comparable),
        )
        .filter(place=1)
        .values_list("instrument", "before_range", "score", "latest_score", "comparable_n")
    )


Pair = tuple[str, bool, float, float, int]


def _changes(rows: Iterable[Pair]) -> Iterator[tuple[str, float | None]]:
    """(instrument, oriented change or None for lost) per patient of the cohort."""
    for instrument, before_range, baseline, latest, comparable_n in rows:
        if before_range:
            continue  # the patient's baseline is before the range: not in this cohort
        if comparable_n < 2:
            yield instrument, None
            continue
        difference = latest - baseline
        if INSTRUMENTS[instrument].direction == "higher-is-worse":
            difference = -difference
        yield instrument, difference


def clinic_outcomes(who: Who, filters: Filters) -> Outcomes:
    """The figures for the acting user's clinic (module docstring)."""
    check_filters(filters)
    allowed = _patient_filter(who, filters)
    pairs = _pairs(who, filters)
    if allowed is not None:
        pairs = pairs.filter(patient_id__in=allowed)
    cohort: dict[str, list[float | None]] = {}
    if filters.instrument:
        cohort[filters.instrument] = []
    for instrument, change in _changes(pairs):
        cohort.setdefault(instrument, []).append(change)
    results = {}
    for instrument in sorted(cohort):
        changes = [c for c in cohort[instrument] if c is not None]
        rule = INSTRUMENTS[instrument].change_rule
        mcid = None if rule is None else rule.mcid_points
        mdc = None if rule is None else rule.mdc_points
        counted = responders(changes, mcid, mdc)
        results[instrument] = InstrumentOutcome(
            instrument=instrument,
            baseline_n=len(cohort[instrument]),
            followup_n=len(changes),
            lost_n=len(cohort[instrument]) - len(changes),
            responders_mcid=counted.by_mcid,
            responders_mdc=counted.by_mdc,
            mcid_points=mcid,
            mdc_points=mdc,
            spread=median_iqr(changes),
        )
    local, distant = _regions(who, filters, allowed)
    return Outcomes(filters=filters, instruments=results, local=local, distant=distant)


REGION_ORDER = tuple(key for key, _label in REGIONS)
REGION_KEYS = frozenset(REGION_ORDER)


def _body_map(answers: Any) -> dict[str, Any]:
    """The core's readings of one form; only the regions the form holds are looked at (the same
    readings as over every key, in a fraction of the time for 10,000 forms)."""
    if not isinstance(answers, dict):
        return {}
    present = [key[5:] for key in answers if key.startswith("pain_") and key[5:] in REGION_KEYS]
    return readings_from_answers(answers, present)


def _in_range(rows: QuerySet[Any], filters: Filters) -> QuerySet[Any]:
    if filters.date_from is not None:
        rows = rows.filter(submitted_at__gte=_day_start(filters.date_from))
    if filters.date_to is not None:
        rows = rows.filter(submitted_at__lt=_day_start(filters.date_to + dt.timedelta(days=1)))
    return rows


def _regions(
    who: Who, filters: Filters, allowed: set[int] | None
) -> tuple[RegionOutcome, RegionOutcome]:
    """Local and distant regions compared and improved (module docstring)."""
    intakes = _in_range(intakes_of_clinic(who), filters)
    followups = followups_of_clinic(who)
    if filters.date_to is not None:
        followups = followups.filter(
            submitted_at__lt=_day_start(filters.date_to + dt.timedelta(days=1))
        )
    # Only patients with an intake in the range and a follow-up have a region to compare; the
    # cohort is a subquery, never a list of 10,000 ids in the SQL text.
    followups = followups.filter(patient_id__in=intakes.values("patient_id"))
    cohort = followups.values("patient_id")
    intakes = intakes.filter(patient_id__in=cohort)
    maps: dict[int, list[tuple[dt.datetime, dict[str, Any]]]] = {}
    for rows in (intakes, followups):
        # Only the body map's intensities leave the database, not the whole form's answers.
        for patient_id, when, *pains in rows.values_list(
            "patient_id", "submitted_at", *(KT(f"answers__pain_{key}") for key in REGION_ORDER)
        ):
            if allowed is None or patient_id in allowed:
                answers = {
                    f"pain_{key}": value
                    for key, value in zip(REGION_ORDER, pains, strict=True)
                    if value is not None
                }
                maps.setdefault(patient_id, []).append((when, answers))
    if not maps:
        return RegionOutcome(0, 0), RegionOutcome(0, 0)
    local_of: dict[int, list[str]] = {}
    # Newest first (the model's ordering): the first row seen per patient is the latest.
    for patient_id, regions in (
        local_regions_of_clinic(who)
        .filter(patient_id__in=cohort)
        .values_list("patient_id", "regions")
    ):
        if patient_id not in local_of and isinstance(regions, list):
            local_of[patient_id] = [str(r) for r in regions]
    counts = {True: [0, 0], False: [0, 0]}
    for patient_id, forms in maps.items():
        if len(forms) < 2:
            continue  # a single body map: every region is new, none compared
        forms.sort(key=lambda form: form[0])
        summary = compare_regions(
            [_body_map(answers) for _when, answers in forms],
            local=local_of.get(patient_id, ()),
        )
        for is_local in (True, False):
            counts[is_local][0] += summary.compared(local=is_local)
            counts[is_local][1] += summary.count("better", local=is_local)
    return RegionOutcome(*counts[True]), RegionOutcome(*counts[False])


def small_cell(count: int | None) -> str:
    """A count as an export shows it: 1 to 4 patients become "<5"."""
    if count is None:
        return ""
    return "<5" if 0 < count < SMALL_CELL else str(count)
