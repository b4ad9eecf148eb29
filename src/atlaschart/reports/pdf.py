"""Drawing the patient report with fpdf2 and the Noto Sans KR font of ``pylopdf-fonts-ko``.

Pure Python with a TrueType/OpenType subset embedded in the file, so Hangul renders on a machine
with no system fonts (docs/decisions/0003-pdf-report.md). Charts are vector drawings: one axis per
questionnaire on its own scale and a time axis, every score as a point, and the band of
measurement error (the MDC, or the MCID where no MDC is published) around the first score, so a
reader sees whether the latest score left it.
"""

from __future__ import annotations

import io
from functools import lru_cache
from itertools import pairwise
from typing import Any

from django.utils.translation import gettext as _
from fpdf import FPDF

from atlaschart.reports.services import Photo, Regions, ReportData

FONT = "NotoSansKR"
GREY = (150, 150, 150)
BAND = (225, 225, 225)
INK = (20, 20, 20)
BLUE = (40, 90, 170)


@lru_cache(maxsize=1)
def _font_path() -> str:
    import pylopdf_fonts_ko

    return str(pylopdf_fonts_ko.sans_path())


class _Report(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(*GREY)
        self.cell(0, 5, f"{self.footer_text} · {self.page_no()}", align="C")
        self.set_text_color(*INK)


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    pdf.set_font(FONT, size=14)
    pdf.multi_cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=10)


def _para(pdf: FPDF, text: str, size: float = 10) -> None:
    pdf.set_font(FONT, size=size)
    pdf.multi_cell(0, 5.5, text, new_x="LMARGIN", new_y="NEXT")


def _number(value: str) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _time_chart(
    pdf: FPDF, row: dict[str, Any], points: list[tuple[Any, float]], band: float | None
) -> None:
    """Every score of one questionnaire over time on its own scale, with the band of
    measurement error (MDC, or MCID where none is published) around the first score."""
    low, _sep, high = str(row.get("scale", "")).partition("–")
    lo, hi = _number(low), _number(high)
    if lo is None or hi is None or hi <= lo or len(points) < 2:
        return
    if pdf.get_y() + 40 > pdf.h - pdf.b_margin:
        pdf.add_page()
    left: float = pdf.l_margin + 14  # fpdf2 leaves its margins untyped
    top, width, height = pdf.get_y() + 5, 110.0, 26.0
    first_day, last_day = points[0][0], points[-1][0]
    span_days: int = max((last_day - first_day).days, 1)

    def x_of(day: Any) -> float:
        days_since_first: int = (day - first_day).days
        return left + days_since_first / span_days * width

    def y_of(value: float) -> float:
        return top + height - (min(max(value, lo), hi) - lo) / (hi - lo) * height

    baseline = points[0][1]
    if band is not None:
        pdf.set_fill_color(*BAND)
        upper, lower = y_of(baseline + band), y_of(baseline - band)
        pdf.rect(left, upper, width, max(lower - upper, 0.5), style="F")
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.3)
    pdf.line(left, top, left, top + height)
    pdf.line(left, top + height, left + width, top + height)
    pdf.set_font(FONT, size=7)
    for tick in (lo, (lo + hi) / 2, hi):
        pdf.line(left - 1.5, y_of(tick), left, y_of(tick))
        pdf.text(left - 8, y_of(tick) + 1, f"{tick:g}")
    pdf.text(left - 8, top - 2, _("points"))
    pdf.text(left, top + height + 4, str(first_day))
    pdf.text(left + width - 15, top + height + 4, str(last_day))
    pdf.set_draw_color(*BLUE)
    pdf.set_fill_color(*BLUE)
    for (day_a, a), (day_b, b) in pairwise(points):
        pdf.line(x_of(day_a), y_of(a), x_of(day_b), y_of(b))
    for day, value in points:
        pdf.ellipse(x_of(day) - 1.2, y_of(value) - 1.2, 2.4, 2.4, style="F")
    pdf.set_text_color(*GREY)
    pdf.text(left + width + 4, top + 4, _("grey band: measurement error"))
    pdf.text(left + width + 4, top + 8, _("around the first score"))
    pdf.set_text_color(*INK)
    pdf.set_font(FONT, size=10)
    pdf.set_y(top + height + 7)


def _region_chart(pdf: FPDF, regions: Regions) -> None:
    """One 0-10 axis per region: first rating (grey), latest (blue), and the band of
    measurement error (MDC, or MCID) around the first rating."""
    band = regions.mdc_points if regions.mdc_points is not None else regions.mcid_points
    left, width = pdf.l_margin + 62, 80.0
    pdf.set_font(FONT, size=7)

    def x_of(value: float) -> float:
        return left + min(max(value, 0.0), 10.0) / 10.0 * width

    for row in regions.rows:
        if row.baseline is None:
            continue
        if pdf.get_y() + 7 > pdf.h - pdf.b_margin:
            pdf.add_page()
        y = pdf.get_y() + 3
        pdf.text(pdf.l_margin, y + 1, row.name)
        if band is not None:
            pdf.set_fill_color(*BAND)
            start, end = x_of(row.baseline - band), x_of(row.baseline + band)
            pdf.rect(start, y - 2, max(end - start, 0.5), 4, style="F")
        pdf.set_draw_color(*INK)
        pdf.set_line_width(0.2)
        pdf.line(left, y, left + width, y)
        pdf.set_fill_color(*GREY)
        pdf.ellipse(x_of(row.baseline) - 1.2, y - 1.2, 2.4, 2.4, style="F")
        if row.latest is not None:
            pdf.set_fill_color(*BLUE)
            pdf.ellipse(x_of(row.latest) - 1.2, y - 1.2, 2.4, 2.4, style="F")
        pdf.set_y(y + 3)
    y = pdf.get_y() + 3
    for tick in (0, 5, 10):
        pdf.text(x_of(tick) - 1, y, str(tick))
    pdf.set_text_color(*GREY)
    pdf.text(left, y + 4, _("grey: first · blue: latest · band: measurement error"))
    pdf.set_text_color(*INK)
    pdf.set_font(FONT, size=10)
    pdf.set_y(y + 6)


def _regions(pdf: FPDF, data: ReportData) -> None:
    regions = data.regions
    if regions is None:
        return
    _heading(pdf, _("Pain by region: first and latest rating"))
    if regions.local_sentence:
        _para(pdf, _("Chief complaint: %(summary)s") % {"summary": regions.local_sentence})
        _para(pdf, _("Other regions: %(summary)s") % {"summary": regions.distant_sentence})
    else:
        _para(pdf, regions.distant_sentence)
    if regions.extra_sentence:
        _para(pdf, regions.extra_sentence)
    _para(
        pdf,
        _(
            "Pain 0–10 points, lower is better. A region is called better or worse only when the "
            "rating moved by at least %(mcid)s points (smallest change that matters) and "
            "%(mdc)s points (measurement error). Sources: %(source)s."
        )
        % {
            "mcid": _plain(regions.mcid_points),
            "mdc": _plain(regions.mdc_points),
            "source": regions.source,
        },
        size=8.5,
    )
    widths = (62, 24, 16, 16, 18)
    pdf.set_font(FONT, size=8.5)
    pdf.set_draw_color(*INK)
    headers = (_("Region"), _("Kind"), _("First"), _("Latest"), _("Difference"))
    for text, w in zip(headers, widths, strict=True):
        pdf.cell(w, 6, text, border="B")
    pdf.cell(0, 6, _("Meaning"), border="B", new_x="LMARGIN", new_y="NEXT")
    for row in regions.rows:
        change = "—" if row.change_points is None else f"{-row.change_points:+d}"
        cells = (
            row.name,
            _("chief complaint") if row.local else _("other region"),
            "—" if row.baseline is None else str(row.baseline),
            "—" if row.latest is None else str(row.latest),
            change,
        )
        for text, w in zip(cells, widths, strict=True):
            pdf.cell(w, 5.5, text)
        pdf.set_font(FONT, size=7.5)
        pdf.cell(0, 5.5, row.words, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, size=8.5)
    pdf.ln(1)
    _region_chart(pdf, regions)


def _plain(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def _band_points(row: dict[str, Any]) -> float | None:
    from atlaschart.measure.instruments import INSTRUMENTS

    instrument = INSTRUMENTS.get(row["id"])
    rule = instrument.change_rule if instrument is not None else None
    if rule is None:
        return None
    return rule.mdc_points if rule.mdc_points is not None else rule.mcid_points


def _questionnaires(pdf: FPDF, data: ReportData) -> None:
    _heading(pdf, _("Questionnaires: first and latest"))
    if not data.questionnaires:
        _para(pdf, _("No questionnaire was answered twice yet, so no change can be shown."))
        return
    for row in data.questionnaires:
        pdf.set_font(FONT, size=11)
        pdf.multi_cell(
            0,
            6,
            f"{row['name']} ({row['scale']}, {row['better']})",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        first, latest = row["baseline"], row.get("latest")
        line = _("First: %(score)s points on %(date)s") % {
            "score": first["score"] or "—",
            "date": first["date"].date(),
        }
        if latest:
            line += " · " + _("Latest: %(score)s points on %(date)s") % {
                "score": latest["score"] or "—",
                "date": latest["date"].date(),
            }
        if row.get("diff"):
            line += " · " + _("Difference: %(diff)s points") % {"diff": row["diff"]}
        _para(pdf, line)
        if row.get("verdict"):
            _para(pdf, _("What it means: %(verdict)s.") % {"verdict": row["verdict"]})
        if row.get("threshold"):
            _para(
                pdf,
                _("Measurement error and smallest change that matters: %(t)s.")
                % {"t": row["threshold"]},
                size=8.5,
            )
        _time_chart(pdf, row, data.series.get(row["id"], []), _band_points(row))


_POSTURE_WORDS = {
    "beyond_error": lambda: _("beyond the measurement error"),
    "within_error": lambda: _("within the measurement error (no change claimed)"),
    "unknown": lambda: _("cannot be judged"),
}


def _posture(pdf: FPDF, data: ReportData) -> None:
    _heading(pdf, _("Posture: first and latest photos"))
    if data.posture_dates is None or not data.posture:
        _para(pdf, _("Posture was not measured twice from the front yet."))
        return
    first, last = data.posture_dates
    _para(
        pdf,
        _(
            "Front view, %(first)s and %(last)s. MDC95: the smallest change larger than "
            "the measurement error, with 95%% confidence."
        )
        % {"first": first, "last": last},
    )
    widths = (56, 20, 20, 20, 20)
    pdf.set_font(FONT, size=8.5)
    pdf.set_draw_color(*INK)
    for text, w in zip(
        (_("Measure"), _("First"), _("Latest"), _("Difference"), _("MDC95")), widths, strict=True
    ):
        pdf.cell(w, 6, text, border="B")
    pdf.cell(0, 6, _("Meaning"), border="B", new_x="LMARGIN", new_y="NEXT")
    for row in data.posture:
        cells = (row.label, row.before, row.after, row.delta, row.mdc)
        for text, w in zip(cells, widths, strict=True):
            pdf.cell(w, 5.5, text)
        pdf.set_font(FONT, size=7.5)
        pdf.cell(
            0,
            5.5,
            _POSTURE_WORDS.get(row.verdict, _POSTURE_WORDS["unknown"])(),
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.set_font(FONT, size=8.5)
    pdf.set_font(FONT, size=10)


def _photo(pdf: FPDF, photo: Photo, x: float, y: float, width: float) -> float:
    scale = width / photo.width
    height = photo.height * scale
    pdf.image(io.BytesIO(photo.image), x=x, y=y, w=width, h=height)
    pdf.set_draw_color(230, 40, 40)
    pdf.set_line_width(0.6)
    for x1, y1, x2, y2 in photo.lines:
        pdf.line(x + x1 * scale, y + y1 * scale, x + x2 * scale, y + y2 * scale)
    pdf.set_font(FONT, size=8)
    pdf.text(x, y + height + 4, str(photo.taken_on))
    return height


def _photos(pdf: FPDF, data: ReportData) -> None:
    if not data.photo_consent:
        _para(pdf, _("Photos are left out: you have not agreed to show your photos in reports."))
        return
    if not data.photos:
        _para(pdf, _("No pair of front photos to show."))
        return
    for before, after in data.photos:
        width = 80.0
        tallest = max(before.height * width / before.width, after.height * width / after.width)
        if pdf.get_y() + tallest + 10 > pdf.h - pdf.b_margin:
            pdf.add_page()
        y = pdf.get_y() + 2
        _photo(pdf, before, pdf.l_margin, y, width)
        _photo(pdf, after, pdf.l_margin + width + 10, y, width)
        pdf.set_y(y + tallest + 8)
    pdf.set_font(FONT, size=10)


def render_report(data: ReportData) -> bytes:
    """The PDF for ``data``, in the active language (the caller sets it)."""
    pdf = _Report(format="A4")
    pdf.add_font(FONT, "", _font_path())
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.footer_text = f"{data.clinic_name} · {data.made_on}"
    pdf.set_title(_("Progress report"))
    pdf.add_page()
    pdf.set_font(FONT, size=18)
    pdf.multi_cell(0, 10, data.clinic_name, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=14)
    pdf.multi_cell(0, 8, _("Progress report"), new_x="LMARGIN", new_y="NEXT")
    _para(
        pdf,
        _("%(name)s · chart %(chart)s · made on %(date)s")
        % {"name": data.patient_name, "chart": data.chart_number, "date": data.made_on},
    )
    _para(
        pdf,
        _(
            "This report shows what was measured and how precise each measure is. A change "
            "is not proof that any treatment caused it."
        ),
        size=9,
    )
    _heading(pdf, _("Your complaints"))
    _para(pdf, data.complaints or _("No complaint was written at intake."))
    for label, intensity in data.pain_regions:
        _para(pdf, _("%(region)s: pain %(n)s of 10 at intake") % {"region": label, "n": intensity})
    _regions(pdf, data)
    _questionnaires(pdf, data)
    _posture(pdf, data)
    _photos(pdf, data)
    _heading(pdf, _("Next steps of your care plan"))
    if data.next_steps:
        for step in data.next_steps:
            _para(pdf, "· " + step)
    else:
        _para(pdf, _("No care plan is recorded yet."))
    return bytes(pdf.output())
