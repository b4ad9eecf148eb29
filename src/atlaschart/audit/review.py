"""The monthly review of one clinic's access log (PIPA safety measures: review at least monthly).

What a clinic admin looks at for a month: who opened which patients' records, who opened far
more of them than colleagues did, refused attempts, and every export with its reason.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from statistics import median
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from atlaschart.audit.models import AccessLogAnchor, AccessLogEntry, AccessLogReview, Action

# The unusual-volume rule (docs/audit.md): a user is flagged when the number of distinct patients
# whose records they opened in the month is more than UNUSUAL_VOLUME_FACTOR times the clinic's
# median for users who opened any, and at least UNUSUAL_VOLUME_MIN_PATIENTS (so a quiet month
# where one person opened 4 records and the others 1 flags no one).
UNUSUAL_VOLUME_FACTOR = 3
UNUSUAL_VOLUME_MIN_PATIENTS = 10
# Patients listed per user on the page; the CSV export has them all.
PATIENTS_SHOWN_PER_USER = 100
ROWS_SHOWN = 200

# Seen in a list of search results is counted apart from opening the record.
_OPENED = Q(patient__isnull=False) & ~Q(action=Action.LIST) & ~Q(action=Action.DENIED)


@dataclass
class UserMonth:
    username: str
    accesses: int
    patients_opened: int
    patients_listed: int
    denied: int
    unusual: bool = False
    # One row per patient opened: username, patient_id, patient__name, patient__chart_number, times.
    patients: list[Mapping[str, Any]] = field(default_factory=list)
    more_patients: int = 0


@dataclass
class MonthReview:
    month: date
    users: list[UserMonth]
    median_opened: float
    threshold: float
    denied: list[AccessLogEntry]
    exports: list[AccessLogEntry]
    sign_offs: list[AccessLogReview]
    total: int

    @property
    def unusual(self) -> list[UserMonth]:
        return [u for u in self.users if u.unusual]


def month_bounds(first: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return datetime.combine(first, time.min, tz), datetime.combine(following, time.min, tz)


def entries_of_month(clinic_id: int, first: date) -> QuerySet[AccessLogEntry]:
    start, end = month_bounds(first)
    return AccessLogEntry.objects.filter(clinic_id=clinic_id, at__gte=start, at__lt=end)


def unusual_threshold(opened_counts: list[int]) -> tuple[float, float]:
    """(median, threshold) of distinct patients opened; above the threshold is unusual."""
    mid = float(median(opened_counts)) if opened_counts else 0.0
    return mid, max(UNUSUAL_VOLUME_FACTOR * mid, float(UNUSUAL_VOLUME_MIN_PATIENTS))


def review_month(clinic_id: int, first: date) -> MonthReview:
    entries = entries_of_month(clinic_id, first)
    per_user = (
        entries.values("username")
        .annotate(
            accesses=Count("id"),
            opened=Count("patient", distinct=True, filter=_OPENED),
            listed=Count("patient", distinct=True, filter=Q(action=Action.LIST)),
            denied=Count("id", filter=Q(action=Action.DENIED)),
        )
        .order_by("-opened", "username")
    )
    users = [
        UserMonth(
            username=row["username"],
            accesses=row["accesses"],
            patients_opened=row["opened"],
            patients_listed=row["listed"],
            denied=row["denied"],
        )
        for row in per_user
    ]
    mid, threshold = unusual_threshold([u.patients_opened for u in users if u.patients_opened])
    by_name = {u.username: u for u in users}
    for u in users:
        u.unusual = u.patients_opened > threshold
    patients: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    rows = (
        entries.filter(_OPENED)
        .values("username", "patient_id", "patient__name", "patient__chart_number")
        .annotate(times=Count("id"))
        .order_by("username", "-times", "patient__chart_number")
    )
    for row in rows:
        patients[row["username"]].append(row)
    for username, seen in patients.items():
        user = by_name[username]
        user.patients = seen[:PATIENTS_SHOWN_PER_USER]
        user.more_patients = max(0, len(seen) - PATIENTS_SHOWN_PER_USER)
    denied = list(entries.filter(action=Action.DENIED).order_by("at", "id")[:ROWS_SHOWN])
    exports = list(
        entries.filter(action=Action.EXPORT)
        .select_related("patient")
        .order_by("at", "id")[:ROWS_SHOWN]
    )
    sign_offs = list(
        AccessLogReview.objects.filter(clinic_id=clinic_id, month=first).select_related(
            "signed_by", "anchor"
        )
    )
    return MonthReview(
        month=first,
        users=users,
        median_opened=mid,
        threshold=threshold,
        denied=denied,
        exports=exports,
        sign_offs=sign_offs,
        total=sum(u.accesses for u in users),
    )


def sign_off(user: Any, first: date, note: str) -> AccessLogReview:
    """Record the review of ``first``'s month, anchoring the chain as it stands now."""
    with transaction.atomic():
        anchor = AccessLogAnchor.of_chain_head(made_by=user.get_username(), via="review")
        review = AccessLogReview(
            clinic_id=user.clinic_id, month=first, signed_by=user, note=note, anchor=anchor
        )
        review.save()
    return review
