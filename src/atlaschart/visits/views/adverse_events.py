"""Adverse events in words, and the clinic admin's review of the escalated ones."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_stubs_ext import StrOrPromise

from atlaschart.audit.models import Action
from atlaschart.lib.access import log_shown
from atlaschart.lib.actor import Actor
from atlaschart.lib.http import AuthenticatedHttpRequest
from atlaschart.lib.policy import Kind, Permission, permission_required
from atlaschart.lib.presenting import RecordOnPage
from atlaschart.visits import services
from atlaschart.visits.access import (
    adverse_events_of_clinic,
    get_adverse_event_for_user,
)
from atlaschart.visits.forms import SERIOUS_CRITERIA
from atlaschart.visits.models import AdverseEvent

EVENT_CLASSES = {
    "none": gettext_lazy("not an adverse event"),
    "symptomatic_reaction": gettext_lazy("mild reaction"),
    "intense": gettext_lazy("intense reaction"),
    "serious": gettext_lazy("serious adverse event"),
}


@dataclass(frozen=True)
class EventInWords(RecordOnPage):
    """An adverse event as the pages show it: the record, and its classification and serious
    criteria in the reader's words. The templates read the record's own fields through it too
    (``e.description``, ``e.patient``)."""

    event: AdverseEvent
    classification_display: StrOrPromise
    serious_display: list[StrOrPromise]

    record_field = "event"


def in_words(events: Iterable[AdverseEvent]) -> list[EventInWords]:
    serious = dict(SERIOUS_CRITERIA)
    return [
        EventInWords(
            event=event,
            classification_display=EVENT_CLASSES.get(event.classification, _("unclassified")),
            serious_display=[serious.get(c, _("other")) for c in event.serious_criteria or ()],
        )
        for event in events
    ]


# Reviewing an escalated event is the clinic admin's sign-off (POLICY: adverse_event sign).
@permission_required(Kind.ADVERSE_EVENT, Permission.SIGN)
def adverse_events(request: AuthenticatedHttpRequest) -> HttpResponse:
    events = list(
        adverse_events_of_clinic(request)
        .filter(escalated=True)
        .select_related("patient", "reported_by", "reviewed_by")[:200]
    )
    log_shown(request, [e.patient for e in events], detail="escalated adverse events")
    return render(request, "visits/adverse_events.html", {"events": in_words(events)})


@require_POST
@permission_required(Kind.ADVERSE_EVENT, Permission.SIGN)
def adverse_event_review(request: AuthenticatedHttpRequest, event_id: int) -> HttpResponse:
    event = get_adverse_event_for_user(request, event_id, Action.UPDATE, detail="review")
    services.review_adverse_event(Actor.of(request), event)
    return redirect("visits:adverse_events")
