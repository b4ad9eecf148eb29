"""When the clinic is open: its weekly hours and the Korean public holidays.

Public holidays come from the ``holidays`` library (country ``KR``), which follows the
Regulations on Holidays of Government Offices, including substitute holidays and election days
(e.g. 2026-06-03, the local elections). A booking on a holiday or outside the hours is not
refused: clinics do open on some holidays. It is warned about, and the booking form asks to
confirm.
"""

from __future__ import annotations

from datetime import date, datetime, time
from functools import lru_cache

import holidays
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from atlaschart.visits.models import ClinicProfile, default_open_weekdays

#: The model's defaults, for a clinic that has not saved its hours yet.
DEFAULT_OPENS = time(9, 0)
DEFAULT_CLOSES = time(19, 0)


@lru_cache(maxsize=16)
def _korean_holidays(year: int, language: str) -> dict[date, str]:
    return dict(holidays.country_holidays("KR", years=year, language=language))


def holiday_name(day: date) -> str | None:
    """The public holiday on ``day`` in the user's language, or None."""
    language = "ko" if (get_language() or "ko").startswith("ko") else "en_US"
    return _korean_holidays(day.year, language).get(day)


def booking_warnings(
    profile: ClinicProfile | None, starts_at: datetime, ends_at: datetime
) -> list[str]:
    """Why a booking at this time may be a slip: a public holiday, a closed day, or a time
    outside the opening hours. Empty when nothing is unusual."""
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    warnings = []
    name = holiday_name(start.date())
    if name:
        warnings.append(
            _("%(day)s is a public holiday (%(name)s).")
            % {"day": start.date().isoformat(), "name": name}
        )
    weekdays = profile.open_weekdays if profile is not None else default_open_weekdays()
    if start.weekday() not in weekdays:
        warnings.append(
            _("The clinic is closed on %(weekday)s.") % {"weekday": _weekday_name(start.weekday())}
        )
        return warnings
    opens = profile.opens_at if profile is not None else DEFAULT_OPENS
    closes = profile.closes_at if profile is not None else DEFAULT_CLOSES
    outside = start.time() < opens or end.time() > closes or end.date() != start.date()
    if outside:
        warnings.append(
            _("This is outside the opening hours (%(opens)s–%(closes)s).")
            % {"opens": opens.strftime("%H:%M"), "closes": closes.strftime("%H:%M")}
        )
    return warnings


def _weekday_name(number: int) -> str:
    names = [
        _("Monday"),
        _("Tuesday"),
        _("Wednesday"),
        _("Thursday"),
        _("Friday"),
        _("Saturday"),
        _("Sunday"),
    ]
    return names[number]


def weekday_choices() -> list[tuple[int, str]]:
    return [(n, _weekday_name(n)) for n in range(7)]
