"""The visits app's pages, one module per group of pages: ``schedule`` (today, the calendar,
booking), ``visit`` (the visit page: note, signing, treatments, follow-up), ``amend``, ``care``
(care plans, consent), ``adverse_events``, ``requests`` (consultation requests and the public
page) and ``profile``.

Views are thin: parse, authorise, call one service, render. Refusals from the services
(``VisitError``) are shown as messages; nothing is half written.

Who may open each view is declared with ``permission_required(kind, permission)`` from the one
role table (``atlaschart.lib.policy.POLICY``): front desk reaches the schedule and the
consultation requests; visit notes, treatments, care plans and adverse events are clinical.
"""

from atlaschart.visits.views.adverse_events import adverse_event_review, adverse_events
from atlaschart.visits.views.amend import visit_amend
from atlaschart.visits.views.care import care_plan_book, care_plan_create, consent_create
from atlaschart.visits.views.profile import profile_edit
from atlaschart.visits.views.requests import (
    public_page,
    request_convert,
    request_decline,
    requests_list,
)
from atlaschart.visits.views.schedule import (
    appointment_create,
    appointment_open,
    appointment_status,
    calendar,
    today,
)
from atlaschart.visits.views.visit import (
    followup,
    treatment_add,
    treatment_delete,
    treatment_sign,
    visit_detail,
    visit_save,
    visit_sign,
)

__all__ = [
    "adverse_event_review",
    "adverse_events",
    "appointment_create",
    "appointment_open",
    "appointment_status",
    "calendar",
    "care_plan_book",
    "care_plan_create",
    "consent_create",
    "followup",
    "profile_edit",
    "public_page",
    "request_convert",
    "request_decline",
    "requests_list",
    "today",
    "treatment_add",
    "treatment_delete",
    "treatment_sign",
    "visit_amend",
    "visit_detail",
    "visit_save",
    "visit_sign",
]
