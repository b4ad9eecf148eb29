"""Server-rendered SVG line charts on a shared time axis (no JavaScript, no third-party files).

A :class:`Chart` holds lines of dated points (each point may carry an error bar), one optional
shaded band (e.g. "within measurement error of the baseline": baseline ± the threshold) and
markers (visits, treatments) drawn as thin vertical lines. Every chart of a page is drawn on the
same ``x_start`` .. ``x_end`` so that a date sits at the same place in each.

Coordinates: SVG user units, origin top left, y grows downwards; the plot area is inset by the
margins below. Values outside ``y_min`` .. ``y_max`` are clipped to the plot area's edge.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Sized so that 13-unit text stays readable when a chart is drawn 360 px wide on a phone.
WIDTH, HEIGHT = 480, 250
LEFT, RIGHT, TOP, BOTTOM = 62, 30, 14, 54


@dataclass(frozen=True)
class Point:
    when: date
    value: float
    low: float | None = None  # error bar, in the value's unit
    high: float | None = None


@dataclass(frozen=True)
class Line:
    label: str
    points: tuple[Point, ...]
    style: int = 0  # index into the page's line styles (colour and dash)


@dataclass(frozen=True)
class Band:
    low: float
    high: float
    label: str


@dataclass(frozen=True)
class Marker:
    when: date
    label: str
    kind: Literal["visit", "treatment"] = "visit"


@dataclass(frozen=True)
class Chart:
    title: str
    y_label: str  # the axis title with its unit, in the user's language
    y_min: float
    y_max: float
    x_start: date
    x_end: date
    x_label: str
    lines: tuple[Line, ...] = ()
    band: Band | None = None
    markers: tuple[Marker, ...] = field(default_factory=tuple)


def nice_step(span: float, wanted_ticks: int = 5) -> float:
    """A 1/2/5 x 10^n step giving about ``wanted_ticks`` ticks over ``span``."""
    if span <= 0:
        return 1.0
    raw = span / wanted_ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return float(factor * power)
    return float(10 * power)


def _number(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _date_text(when: date, start: date, end: date) -> str:
    # Month/day keeps ticks short; the year is added when the axis spans two years.
    return (
        f"{when:%y}.{when.month}.{when.day}"
        if start.year != end.year
        else f"{when.month}/{when.day}"
    )


def _date_ticks(start: date, end: date, at_most: int = 5) -> list[date]:
    days = (end - start).days
    if days <= 0:
        return [start]
    step = max(1, math.ceil(days / (at_most - 1)))
    ticks = [date.fromordinal(start.toordinal() + n) for n in range(0, days + 1, step)]
    if (end - ticks[-1]).days * 3 > step:
        ticks.append(end)
    return ticks


def render(chart: Chart) -> SafeString:
    """The chart as an inline ``<svg>`` with a ``<title>`` and labelled axes."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    days = max(1, (chart.x_end - chart.x_start).days)
    y_span = (chart.y_max - chart.y_min) or 1.0

    def x(when: date) -> float:
        return LEFT + plot_w * min(max((when - chart.x_start).days / days, 0.0), 1.0)

    def y(value: float) -> float:
        share = (min(max(value, chart.y_min), chart.y_max) - chart.y_min) / y_span
        return TOP + plot_h * (1 - share)

    out: list[str] = [
        f'<svg class="progress-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(chart.title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(chart.title)}</title>",
    ]
    if chart.band is not None:
        top, bottom = y(chart.band.high), y(chart.band.low)
        out.append(
            f'<rect class="band" x="{LEFT}" y="{top:.1f}" width="{plot_w}" '
            f'height="{max(bottom - top, 0.5):.1f}">'
            f"<title>{escape(chart.band.label)}</title></rect>"
        )
    step = nice_step(chart.y_max - chart.y_min)
    tick = math.ceil(chart.y_min / step) * step
    while tick <= chart.y_max + 1e-9:
        ty = y(tick)
        out.append(
            f'<line class="grid" x1="{LEFT}" x2="{LEFT + plot_w}" y1="{ty:.1f}" y2="{ty:.1f}"/>'
            f'<text class="tick" x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end">'
            f"{_number(tick)}</text>"
        )
        tick += step
    for when in _date_ticks(chart.x_start, chart.x_end):
        tx = x(when)
        out.append(
            f'<line class="axis" x1="{tx:.1f}" x2="{tx:.1f}" y1="{TOP + plot_h}" '
            f'y2="{TOP + plot_h + 4}"/><text class="tick" x="{tx:.1f}" y="{TOP + plot_h + 17}" '
            f'text-anchor="middle">{escape(_date_text(when, chart.x_start, chart.x_end))}</text>'
        )
    for marker in chart.markers:
        mx = x(marker.when)
        out.append(
            f'<line class="marker {marker.kind}" x1="{mx:.1f}" x2="{mx:.1f}" y1="{TOP}" '
            f'y2="{TOP + plot_h}"><title>{escape(marker.label)}</title></line>'
        )
    out.append(
        f'<line class="axis" x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + plot_h}"/>'
        f'<line class="axis" x1="{LEFT}" x2="{LEFT + plot_w}" y1="{TOP + plot_h}" '
        f'y2="{TOP + plot_h}"/>'
    )
    for line in chart.lines:
        points = sorted(line.points, key=lambda p: p.when)
        if len(points) > 1:
            path = " ".join(f"{x(p.when):.1f},{y(p.value):.1f}" for p in points)
            out.append(f'<polyline class="line s{line.style % 6}" points="{path}"/>')
        for p in points:
            px, py = x(p.when), y(p.value)
            if p.low is not None and p.high is not None:
                out.append(
                    f'<line class="errorbar s{line.style % 6}" x1="{px:.1f}" x2="{px:.1f}" '
                    f'y1="{y(p.high):.1f}" y2="{y(p.low):.1f}"/>'
                )
            label = f"{line.label}: {_number(p.value)} ({date_format(p.when, 'SHORT_DATE_FORMAT')})"
            out.append(
                f'<circle class="dot s{line.style % 6}" cx="{px:.1f}" cy="{py:.1f}" r="4">'
                f"<title>{escape(label)}</title></circle>"
            )
    out.append(
        f'<text class="axis-title" x="14" y="{TOP + plot_h / 2:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 14 {TOP + plot_h / 2:.1f})">{escape(chart.y_label)}</text>'
        f'<text class="axis-title" x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 6}" '
        f'text-anchor="middle">{escape(chart.x_label)}</text>'
    )
    out.append("</svg>")
    # Every text interpolated above went through escape(); numbers are formatted floats.
    return mark_safe("".join(out))  # noqa: S308
