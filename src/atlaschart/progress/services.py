"""The progress page of one patient: every measure on one time axis, each with its error.

Everything is read through the apps' doors, scoped to the acting user's clinic; the page view
logs one access to the patient. Sections whose kind the user may not read are left out (the
page itself needs the intake-answers permission).

* Per-region pain: each body map (intake, then follow-ups) read with
  :func:`atlaschart.measure.instruments.regions.readings_from_answers` and compared with
  :func:`compare_regions` (NPRS MCID/MDC, sources in that module). Local = the regions a
  clinician confirmed as the chief complaint; the others are distant. Each region's band is its
  baseline ± the threshold: inside it a change is within measurement error.
* Questionnaires: each instrument's stored scores; band = baseline ± max(MCID, MDC) of the
  instrument's change rule; the verdicts are the chart's own rows (intake.outcomes).
* Posture: each metric per view, one point per session (mean of the session's shots, error bar
  ± the shots' standard uncertainty); band = first value ± the clinic's MDC95 (posture.mdc).
* Leg checks: magnitude before and after the adjustment; each post check's change against the
  MDC (exams core, ATLASCHART_LEG_CHECK_MDC_MM).
* Upper cervical constructs: the first and the latest analysis of each view compared by the
  radiograph core, with each change's error.
* Visits and treatments: vertical markers on every chart.

The words never say a treatment caused a change: they describe change over time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import fmean
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from atlaschart.intake import steps
from atlaschart.intake.access import (
    followups_of_clinic,
    intakes_of_clinic,
    local_regions_of_clinic,
    responses_of_clinic,
)
from atlaschart.intake.names import instrument_name, threshold_sources
from atlaschart.intake.outcomes import change_rows
from atlaschart.lib.actor import Actor
from atlaschart.lib.policy import Kind, Permission, allows
from atlaschart.measure.instruments import INSTRUMENTS
from atlaschart.measure.instruments.regions import (
    REGION_CHANGE_RULE,
    REGION_CHANGE_SOURCES,
    RegionChange,
    RegionReading,
    RegionSummary,
    compare_regions,
    readings_from_answers,
)
from atlaschart.patients.models import Patient
from atlaschart.progress import svg

REGION_KEYS = tuple(key for key, _label in steps.REGIONS)


def _day(moment: datetime | date) -> date:
    if isinstance(moment, datetime):
        return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
    return moment


def _x_label(start: date, end: date) -> str:
    # Matches the tick format of progress.svg: month/day, or year.month.day across two years.
    return _("Date (month/day)") if start.year == end.year else _("Date (year.month.day)")


def number(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@dataclass
class ChartView:
    """One chart and the same numbers as a table (for screen readers and for print)."""

    chart: svg.Chart
    caption: str
    rows: list[tuple[str, str, str]] = field(default_factory=list)  # (date, value, note)
    verdict: str = ""
    verdict_class: str = ""

    @property
    def svg(self) -> Any:
        return svg.render(self.chart)


@dataclass
class Progress:
    patient: Patient
    start: date
    end: date
    regions: RegionSummary
    region_summary: str
    local_summary: str
    distant_summary: str
    local_confirmed: bool
    local_charts: list[ChartView]
    distant_charts: list[ChartView]
    questionnaire_charts: list[ChartView]
    questionnaire_rows: list[dict[str, Any]]
    posture_charts: list[ChartView] | None  # None: the user may not read posture records
    leg_chart: ChartView | None
    leg_rows: list[dict[str, str]] | None
    uc_tables: list[dict[str, Any]] | None
    balance_rows: list[dict[str, str]] | None
    markers: list[svg.Marker]
    has_data: bool


# --- the words ----------------------------------------------------------------------------------


def region_name(key: str) -> str:
    return str(dict(steps.REGIONS).get(key, key))


def summary_sentence(summary: RegionSummary, *, local: bool | None = None) -> str:
    """ "3 of 5 regions better beyond measurement error (neck, ...), 1 unchanged, 1 worse"."""
    compared = summary.compared(local=local)
    if compared == 0:
        return _("No region has a baseline and a later rating yet.")
    better = summary.of("better", local=local)
    head = ngettext(
        "%(better)s of %(n)s region better beyond measurement error",
        "%(better)s of %(n)s regions better beyond measurement error",
        compared,
    ) % {"better": len(better), "n": compared}
    if better:
        head += " (" + ", ".join(region_name(r) for r in better) + ")"
    parts = [head]
    unchanged = summary.count("unchanged", local=local)
    worse = summary.of("worse", local=local)
    room = summary.count("little-room", local=local)
    parts.append(_("%(n)s unchanged (within measurement error)") % {"n": unchanged})
    worse_text = _("%(n)s worse") % {"n": len(worse)}
    if worse:
        worse_text += " (" + ", ".join(region_name(r) for r in worse) + ")"
    parts.append(worse_text)
    if room:
        parts.append(
            ngettext(
                "%(n)s too mild at the start to tell",
                "%(n)s too mild at the start to tell",
                room,
            )
            % {"n": room}
        )
    return ", ".join(parts) + "."


def extra_sentence(summary: RegionSummary) -> str:
    """New regions and regions left unrated at the latest form, said apart from the count."""
    parts = []
    new = summary.of("new")
    if new:
        parts.append(
            _("New at the latest form: %(regions)s.")
            % {"regions": ", ".join(region_name(r) for r in new)}
        )
    unrated = summary.of("not-rated")
    if unrated:
        parts.append(
            _("Not rated at the latest form: %(regions)s.")
            % {"regions": ", ".join(region_name(r) for r in unrated)}
        )
    return " ".join(parts)


def category_words(change: RegionChange) -> tuple[str, str]:
    words = {
        "better": (_("better beyond measurement error"), "good"),
        "unchanged": (_("unchanged (within measurement error)"), "neutral"),
        "worse": (_("worse beyond measurement error"), "bad"),
        "little-room": (_("too mild at the start to tell"), "neutral"),
        "new": (_("new: no earlier rating"), "neutral"),
        "not-rated": (_("not rated at the latest form"), "neutral"),
    }
    return words[change.category]


# --- the sections -------------------------------------------------------------------------------


def _assessments(actor: Actor, patient: Patient) -> list[tuple[date, dict[str, RegionReading]]]:
    forms: list[tuple[datetime, int, Any]] = []
    for intake in (
        intakes_of_clinic(actor)
        .filter(patient=patient)
        .only("submitted_at", "answers", "consent_personal", "consent_health")
    ):
        if intake.consented:
            forms.append((intake.submitted_at, 0, intake.answers))
    for followup in (
        followups_of_clinic(actor).filter(patient=patient).only("submitted_at", "answers")
    ):
        forms.append((followup.submitted_at, 1, followup.answers))
    forms.sort(key=lambda f: (f[0], f[1]))
    out = []
    for when, _kind, answers in forms:
        readings = readings_from_answers(answers if isinstance(answers, dict) else {}, REGION_KEYS)
        if readings:
            out.append((_day(when), readings))
    return out


def _region_chart(
    change: RegionChange,
    history: Sequence[tuple[date, dict[str, RegionReading]]],
    start: date,
    end: date,
    markers: tuple[svg.Marker, ...],
) -> ChartView:
    points = tuple(
        svg.Point(when, readings[change.region].intensity_0_10)
        for when, readings in history
        if change.region in readings
    )
    rule = change.rule
    threshold = max(rule.mcid_points or 0, rule.mdc_points or 0)
    band = None
    if change.baseline is not None:
        base = change.baseline.intensity_0_10
        band = svg.Band(
            max(0.0, base - threshold),
            min(10.0, base + threshold),
            _("Within measurement error of the baseline (± %(t)s points)")
            % {"t": number(threshold)},
        )
    title = region_name(change.region)
    chart = svg.Chart(
        title=title,
        y_label=_("Pain (NPRS, 0–10 points)"),
        y_min=0,
        y_max=10,
        x_start=start,
        x_end=end,
        x_label=_x_label(start, end),
        lines=(svg.Line(title, points),),
        band=band,
        markers=markers,
    )
    words, css = category_words(change)
    if change.change_points is not None:
        words = _("%(words)s: %(base)s → %(latest)s points (change %(change)s)") % {
            "words": words,
            "base": change.baseline.intensity_0_10 if change.baseline else "—",
            "latest": change.latest.intensity_0_10 if change.latest else "—",
            "change": f"{-change.change_points:+d}",
        }
    qualities = dict(steps.QUALITIES)
    rows = []
    for when, readings in history:
        reading = readings.get(change.region)
        if reading is None:
            continue
        named = ", ".join(str(qualities.get(q, q)) for q in sorted(reading.qualities))
        rows.append((when.isoformat(), f"{reading.intensity_0_10}/10", named))
    return ChartView(
        chart=chart,
        caption=_(
            "Shaded: baseline ± %(t)s points, the NPRS change that counts (MCID %(mcid)s, MDC "
            "%(mdc)s points; %(source)s)."
        )
        % {
            "t": number(threshold),
            "mcid": number(rule.mcid_points),
            "mdc": number(rule.mdc_points),
            "source": REGION_CHANGE_SOURCES if rule is REGION_CHANGE_RULE else rule.source,
        },
        rows=rows,
        verdict=words,
        verdict_class=css,
    )


def _questionnaires(
    actor: Actor, patient: Patient
) -> tuple[list[tuple[str, list[svg.Point]]], list[dict[str, Any]], list[Any]]:
    responses = list(
        responses_of_clinic(actor).filter(patient=patient).order_by("recorded_at", "id")
    )
    series: dict[str, list[svg.Point]] = defaultdict(list)
    for r in responses:
        if r.scorable and r.score is not None:
            series[r.instrument].append(svg.Point(_day(r.recorded_at), float(r.score)))
    return list(series.items()), change_rows(responses), responses


def _questionnaire_chart(
    instrument_id: str,
    points: list[svg.Point],
    start: date,
    end: date,
    markers: tuple[svg.Marker, ...],
) -> ChartView | None:
    instrument = INSTRUMENTS.get(instrument_id)
    if instrument is None:
        return None
    low, high = instrument.score_range
    rule = instrument.change_rule
    band = None
    caption = _("No change threshold: this questionnaire is not an outcome measure.")
    if rule is not None and points:
        threshold = max(rule.mcid_points or 0, rule.mdc_points or 0)
        base = points[0].value
        band = svg.Band(
            max(low, base - threshold),
            min(high, base + threshold),
            _("Within the threshold of the baseline (± %(t)s points)") % {"t": number(threshold)},
        )
        caption = _(
            "Shaded: baseline ± %(t)s points, the larger of the MCID (%(mcid)s) and the MDC "
            "(%(mdc)s); %(source)s."
        ) % {
            "t": number(threshold),
            "mcid": number(rule.mcid_points) if rule.mcid_points is not None else "—",
            "mdc": number(rule.mdc_points) if rule.mdc_points is not None else _("not published"),
            "source": threshold_sources(instrument_id) or rule.source,
        }
    name = instrument_name(instrument_id)
    chart = svg.Chart(
        title=name,
        y_label=_("Score (%(low)s–%(high)s points)") % {"low": number(low), "high": number(high)},
        y_min=float(low),
        y_max=float(high),
        x_start=start,
        x_end=end,
        x_label=_x_label(start, end),
        lines=(svg.Line(name, tuple(points), style=1),),
        band=band,
        markers=markers,
    )
    rows = [(p.when.isoformat(), number(p.value, 2), "") for p in points]
    return ChartView(chart=chart, caption=caption, rows=rows)


def _posture(
    actor: Actor, patient: Patient
) -> dict[tuple[str, str], list[tuple[date, float, float | None, str]]]:
    from atlaschart.posture.access import sessions_of_clinic
    from atlaschart.posture.adapt import result_from_cache

    by_key: dict[tuple[str, str], dict[date, list[tuple[float, float | None, str]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    sessions = (
        sessions_of_clinic(actor)
        .filter(patient=patient)
        .prefetch_related("shots")
        .order_by("taken_on", "id")
    )
    for session in sessions:
        for shot in session.shots.all():
            result = result_from_cache(shot)
            if result is None:
                continue
            for metric in result.metrics:
                if metric.value is None:
                    continue
                by_key[(shot.view, metric.name)][session.taken_on].append(
                    (float(metric.value), metric.uncertainty, metric.unit)
                )
    out: dict[tuple[str, str], list[tuple[date, float, float | None, str]]] = {}
    for key, days in by_key.items():
        out[key] = []
        for when in sorted(days):
            values = days[when]
            uncertainties = [u for _v, u, _unit in values if u is not None]
            out[key].append(
                (
                    when,
                    fmean(v for v, _u, _unit in values),
                    max(uncertainties) if uncertainties else None,
                    values[0][2],
                )
            )
    return out


def _posture_charts(
    actor: Actor,
    data: dict[tuple[str, str], list[tuple[date, float, float | None, str]]],
    start: date,
    end: date,
    markers: tuple[svg.Marker, ...],
) -> list[ChartView]:
    from atlaschart.posture.display import METRIC_LABELS, UNIT_NAMES
    from atlaschart.posture.mdc import clinic_mdc
    from atlaschart.posture.models import View

    if not data:
        return []
    mdc = clinic_mdc(actor)
    views = dict(View.choices)
    charts = []
    for (view, name), points in sorted(data.items()):
        if len(points) < 2 and name not in ("craniovertebral_angle_deg", "shoulder_tilt_deg"):
            continue  # a single session of a minor metric: the session page shows it
        unit = points[0][3]
        values = [p[1] for p in points]
        entry = mdc.get(name)
        spread = max(abs(v) for v in values) + (entry.value if entry else 0) + 1
        lo = min(0.0, min(values) - spread * 0.2) if min(values) < 0 else 0.0
        hi = max(values) + spread * 0.3
        if min(values) < 0:
            lo = -max(abs(lo), hi)
            hi = -lo
        band = None
        caption = _("No MDC is known for this metric.")
        if entry is not None:
            band = svg.Band(
                values[0] - entry.value,
                values[0] + entry.value,
                _("Within the MDC95 of the first session (± %(mdc)s)")
                % {"mdc": number(entry.value)},
            )
            source = {
                "configured": _("set by the clinic"),
                "repeats": _("from the clinic's repeated photos"),
                "default": _("the default"),
            }.get(entry.source, entry.source)
            caption = _(
                "Shaded: first session ± MDC95 %(mdc)s %(unit)s (%(source)s). Error bars: ± the "
                "photos' standard uncertainty."
            ) % {"mdc": number(entry.value), "unit": UNIT_NAMES.get(unit, unit), "source": source}
        label = f"{METRIC_LABELS.get(name, name)} · {views.get(view, view)}"
        chart = svg.Chart(
            title=label,
            y_label=f"{METRIC_LABELS.get(name, name)} ({UNIT_NAMES.get(unit, unit)})",
            y_min=lo,
            y_max=hi,
            x_start=start,
            x_end=end,
            x_label=_x_label(start, end),
            lines=(
                svg.Line(
                    label,
                    tuple(
                        svg.Point(w, v, v - u if u else None, v + u if u else None)
                        for w, v, u, _unit in points
                    ),
                    style=2,
                ),
            ),
            band=band,
            markers=markers,
        )
        rows = [
            (
                w.isoformat(),
                f"{number(v, 2)} {UNIT_NAMES.get(unit, unit)}",
                f"± {number(u, 2)}" if u else "",
            )
            for w, v, u, _unit in points
        ]
        charts.append(ChartView(chart=chart, caption=caption, rows=rows))
    return charts


def _leg_records(actor: Actor, patient: Patient) -> list[Any]:
    from atlaschart.exams.access import exams_of_clinic

    return list(
        exams_of_clinic(actor)
        .filter(patient=patient, kind="leg_check")
        .only("created_at", "timing", "derived")
        .order_by("created_at", "id")
    )


def _legs(
    records: list[Any], start: date, end: date, markers: tuple[svg.Marker, ...]
) -> tuple[ChartView | None, list[dict[str, str]]]:
    from atlaschart.exams.kinds.leg_check import mdc_mm

    pre: list[svg.Point] = []
    post: list[svg.Point] = []
    rows: list[dict[str, str]] = []
    limit = mdc_mm()
    for record in records:
        magnitude = record.derived.get("magnitude_mm") if isinstance(record.derived, dict) else None
        if not isinstance(magnitude, (int, float)):
            continue
        when = _day(record.created_at)
        (post if record.timing == "post" else pre).append(svg.Point(when, float(magnitude)))
        if record.timing == "post" and "magnitude_change_mm" in record.derived:
            change = record.derived.get("magnitude_change_mm")
            beyond = bool(record.derived.get("exceeds_mdc"))
            rows.append(
                {
                    "date": when.isoformat(),
                    "post": f"{number(float(magnitude), 2)} mm",
                    "change": f"{number(change, 2)} mm"
                    if isinstance(change, (int, float))
                    else "—",
                    "verdict": _("beyond the MDC") if beyond else _("within the MDC"),
                    "css": "good" if beyond else "neutral",
                }
            )
    if not pre and not post:
        return None, []
    top = max(p.value for p in (*pre, *post))
    chart = svg.Chart(
        title=_("Leg length check"),
        y_label=_("Difference (mm)"),
        y_min=0,
        y_max=max(top + limit, 5.0),
        x_start=start,
        x_end=end,
        x_label=_x_label(start, end),
        lines=(
            svg.Line(_("Before the adjustment"), tuple(pre), style=3),
            svg.Line(_("After the adjustment"), tuple(post), style=4),
        ),
        markers=markers,
    )
    caption = _(
        "A change from before to after the adjustment counts only past the MDC of %(mdc)s mm "
        "(the clinic's setting)."
    ) % {"mdc": number(limit, 2)}
    table = [(p.when.isoformat(), f"{number(p.value, 2)} mm", _("before")) for p in pre]
    table += [(p.when.isoformat(), f"{number(p.value, 2)} mm", _("after")) for p in post]
    return ChartView(chart=chart, caption=caption, rows=sorted(table)), rows


def _balance(actor: Actor, patient: Patient) -> list[dict[str, str]]:
    """Romberg and Fukuda results in time order. No measurement error is published for them that
    we use, so they are shown as results against the exam's own limit, never as a change."""
    from atlaschart.exams.access import exams_of_clinic

    rows = []
    for record in (
        exams_of_clinic(actor)
        .filter(patient=patient, kind__in=("romberg", "fukuda"))
        .only("created_at", "kind", "raw", "derived")
        .order_by("created_at", "id")
    ):
        raw = record.raw if isinstance(record.raw, dict) else {}
        derived = record.derived if isinstance(record.derived, dict) else {}
        when = _day(record.created_at).isoformat()
        if record.kind == "romberg":
            positive = derived.get("romberg_positive")
            rows.append(
                {
                    "date": when,
                    "test": _("Romberg test"),
                    "result": _("positive") if positive else _("negative"),
                    "css": "bad" if positive else "neutral",
                }
            )
            continue
        rotation = raw.get("rotation_deg")
        side = {"left": _("to the left"), "right": _("to the right")}.get(
            str(raw.get("direction")), ""
        )
        abnormal = bool(derived.get("abnormal"))
        rows.append(
            {
                "date": when,
                "test": _("Fukuda stepping test"),
                "result": _("turned %(deg)s° %(side)s in %(steps)s steps: %(limit)s")
                % {
                    "deg": number(rotation if isinstance(rotation, (int, float)) else None),
                    "side": side,
                    "steps": raw.get("steps", "—"),
                    "limit": _("beyond the 45° limit") if abnormal else _("within the 45° limit"),
                },
                "css": "bad" if abnormal else "neutral",
            }
        )
    return rows


def _upper_cervical(actor: Actor, patient: Patient) -> list[dict[str, Any]]:
    from atlaschart.imaging_studies import labels, services
    from atlaschart.imaging_studies.access import analyses_of_clinic
    from atlaschart.measure.radiograph import GENERIC_ORTHOGONAL, compare

    by_view: dict[str, list[Any]] = defaultdict(list)
    for analysis in analyses_of_clinic(actor).filter(patient=patient).order_by("created_at", "id"):
        by_view[analysis.view].append(analysis)
    tables = []
    for view, analyses in by_view.items():
        first, latest = analyses[0], analyses[-1]
        entry: dict[str, Any] = {
            "view": labels.view_label(view),
            "first": _day(first.created_at),
            "latest": _day(latest.created_at),
            "count": len(analyses),
            "rows": [],
        }
        if first is not latest:
            try:
                a, errors_a = services.compute_with_errors(first.points, GENERIC_ORTHOGONAL)
                b, _errors_b = services.compute_with_errors(latest.points, GENERIC_ORTHOGONAL)
                entry["rows"] = labels.change_rows(compare(a, b), errors_a)
            except ValueError:
                entry["error"] = _("These analyses could not be compared.")
        tables.append(entry)
    return tables


def _markers(actor: Actor, patient: Patient) -> list[svg.Marker]:
    from atlaschart.visits.access import visits_of_clinic

    markers = []
    for visit in (
        visits_of_clinic(actor)
        .filter(patient=patient)
        .prefetch_related("treatments")
        .order_by("visit_date", "id")
    ):
        treatments = [t.get_kind_display() for t in visit.treatments.all()]
        label = _("Visit %(date)s") % {"date": visit.visit_date.isoformat()}
        if treatments:
            label += ": " + ", ".join(str(t) for t in treatments)
        markers.append(svg.Marker(visit.visit_date, label, "treatment" if treatments else "visit"))
    return markers


def _span(dates: Iterable[date]) -> tuple[date, date]:
    known = sorted(dates)
    if not known:
        today = timezone.localdate()
        return today - timedelta(days=7), today
    start, end = known[0], known[-1]
    if (end - start).days < 7:
        # A week at least, so that two dates of the same week do not sit on the edges.
        end = start + timedelta(days=7)
    return start, end


def progress_of(actor: Actor, patient: Patient) -> Progress:
    """Everything the progress page shows, for a patient already reached through the door."""
    user = actor.user
    history = _assessments(actor, patient)
    latest_local = local_regions_of_clinic(actor).filter(patient=patient).only("regions").first()
    local = (
        list(latest_local.regions)
        if latest_local and isinstance(latest_local.regions, list)
        else []
    )
    summary = compare_regions([readings for _when, readings in history], local=local)
    q_series, q_rows, _responses = _questionnaires(actor, patient)
    may = {kind: user is not None and allows(user, kind, Permission.READ) for kind in Kind}
    markers = _markers(actor, patient) if may[Kind.VISIT_NOTE] else []
    posture_data = _posture(actor, patient) if may[Kind.POSTURE] else {}
    dates = [when for when, _r in history]
    dates += [p.when for _i, points in q_series for p in points]
    dates += [m.when for m in markers]
    dates += [w for points in posture_data.values() for w, *_rest in points]
    leg_records = _leg_records(actor, patient) if may[Kind.EXAM] else []
    start, end = _span([*dates, *(_day(r.created_at) for r in leg_records)])
    marks = tuple(markers)
    local_charts: list[ChartView] = []
    distant_charts: list[ChartView] = []
    for change in summary.changes:
        view = _region_chart(change, history, start, end, marks)
        (local_charts if change.local else distant_charts).append(view)
    q_charts = [
        c
        for instrument_id, points in q_series
        if (c := _questionnaire_chart(instrument_id, points, start, end, marks)) is not None
    ]
    leg_chart, leg_rows = _legs(leg_records, start, end, marks) if may[Kind.EXAM] else (None, None)
    extra = extra_sentence(summary)
    return Progress(
        patient=patient,
        start=start,
        end=end,
        regions=summary,
        region_summary=(summary_sentence(summary) + (" " + extra if extra else "")),
        local_summary=summary_sentence(summary, local=True),
        distant_summary=summary_sentence(summary, local=False),
        local_confirmed=latest_local is not None,
        local_charts=local_charts,
        distant_charts=distant_charts,
        questionnaire_charts=q_charts,
        questionnaire_rows=q_rows,
        posture_charts=(
            _posture_charts(actor, posture_data, start, end, marks) if may[Kind.POSTURE] else None
        ),
        leg_chart=leg_chart,
        leg_rows=leg_rows,
        uc_tables=_upper_cervical(actor, patient) if may[Kind.IMAGING] else None,
        balance_rows=_balance(actor, patient) if may[Kind.EXAM] else None,
        markers=markers,
        has_data=bool(history or q_series or posture_data or markers or leg_chart),
    )


__all__ = [
    "REGION_CHANGE_RULE",
    "ChartView",
    "Progress",
    "category_words",
    "progress_of",
    "region_name",
    "summary_sentence",
]
