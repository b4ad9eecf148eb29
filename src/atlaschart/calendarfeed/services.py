"""Making, revoking and reading a clinician's calendar feed.

The feed holds the clinician's own appointments from a week back to eight weeks ahead: start and
end, the chart number and the type of visit, never a name, a phone number or the booking note
(a note is free text and may hold a name). A calendar app polls the address every few hours, so
every read is one access-log row per patient shown (as the calendar page logs), naming the
clinician and the address the request came from.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

import icalendar
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from atlaschart.audit.models import Action
from atlaschart.audit.services import log_access
from atlaschart.lib.access import log_shown
from atlaschart.lib.actor import Actor
from atlaschart.lib.policy import Kind, Permission, allows

from .models import CalendarFeed

if TYPE_CHECKING:
    from atlaschart.accounts.models import User

DAYS_BACK = 7
DAYS_AHEAD = 56
# Calendar apps that honour it poll this often (RFC 7986 REFRESH-INTERVAL; X-PUBLISHED-TTL for
# Outlook).
REFRESH = timedelta(hours=1)


def secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


@dataclass(frozen=True)
class NewFeed:
    feed: CalendarFeed
    secret: str  # shown once; only its digest is stored


def active_feed(user: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()


def make_feed(actor: Actor) -> NewFeed:
    """A new secret address for the actor's own appointments; an older one stops working."""
    assert actor.user is not None
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        _revoke_all(actor)
        feed = CalendarFeed.objects.create(user=actor.user, secret_sha256=secret_digest(secret))
        log_access(actor, Action.CREATE, patient=None, obj=feed, detail="calendar feed made")
    return NewFeed(feed, secret)


def revoke_feed(actor: Actor) -> int:
    """Stop the actor's feed address; returns how many were revoked (0 or 1)."""
    with transaction.atomic():
        return _revoke_all(actor)


def _revoke_all(actor: Actor) -> int:
    feeds = list(
        CalendarFeed.objects.select_for_update().filter(user=actor.user, revoked_at__isnull=True)
    )
    now = timezone.now()
    for feed in feeds:
        feed.revoked_at = now
        feed.save(update_fields=["revoked_at"])
        log_access(actor, Action.UPDATE, patient=None, obj=feed, detail="calendar feed revoked")
    return len(feeds)


def feed_of_secret(secret: str) -> CalendarFeed | None:
    """The live feed behind this secret, else None (unknown, revoked, or its clinician may no
    longer have one: account switched off, moved out of the clinic, role without the right)."""
    if not secret or len(secret) > 200:
        return None
    feed = (
        CalendarFeed.objects.select_related("user", "user__clinic")
        .filter(secret_sha256=secret_digest(secret), revoked_at__isnull=True)
        .first()
    )
    if feed is None or not feed.user.is_active:
        return None
    if not allows(feed.user, Kind.CALENDAR_FEED, Permission.READ):
        return None
    return feed


def read_feed(feed: CalendarFeed, client_ip: str) -> bytes:
    """The iCalendar text of the feed's appointments, logged as a list shown to its clinician."""
    from atlaschart.visits.access import appointments_of_clinic
    from atlaschart.visits.models import AppointmentKind, AppointmentStatus

    actor = Actor(user=feed.user, client_ip=client_ip, via="calendar")
    now = timezone.now()
    appointments = list(
        appointments_of_clinic(actor)
        .filter(
            clinician=feed.user,
            starts_at__gte=now - timedelta(days=DAYS_BACK),
            starts_at__lt=now + timedelta(days=DAYS_AHEAD),
        )
        .exclude(status=AppointmentStatus.CANCELLED)
        .select_related("patient")
        .order_by("starts_at", "pk")
    )
    clinic = feed.user.clinic
    assert clinic is not None  # feed_of_secret gives only feeds of members of a clinic
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//AtlasChart//Calendar feed//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    with translation.override(feed.user.language or settings.LANGUAGE_CODE):
        name = translation.gettext("AtlasChart: %(clinic)s") % {"clinic": clinic.name}
        calendar.add("x-wr-calname", name)
        calendar.add("name", name)
        calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", REFRESH)
        for appointment in appointments:
            event = icalendar.Event()
            event.add("uid", f"appointment-{appointment.pk}@{clinic.slug}.atlaschart")
            event.add("dtstamp", now)
            event.add("dtstart", appointment.starts_at)
            event.add("dtend", appointment.ends_at)
            kind = AppointmentKind(appointment.kind).label
            # Chart number and type only: the feed leaves the clinic's systems (a phone's calendar
            # account), so no name, phone or free-text note.
            event.add("summary", f"{appointment.patient.chart_number} · {kind}")
            event.add("status", "CONFIRMED")
            event.add("transp", "OPAQUE")
            calendar.add_component(event)
    CalendarFeed.objects.filter(pk=feed.pk).update(last_read_at=now)
    # One row for the read itself (even of an empty feed), one per patient whose chart number
    # it carried.
    log_access(actor, Action.LIST, patient=None, obj=feed, detail="calendar feed read")
    log_shown(actor, {a.patient for a in appointments}, detail="calendar feed")
    ical: bytes = calendar.to_ical()
    return ical
