"""Writes to visit records and the schedule. Each function is one user action: one transaction,
one or more access-log entries. Each takes the acting user (``actor``) first, so the web views,
the CLI and the demo loader go through the same rules and write the same audit rows.

Rule violations raise ``VisitError`` with a translated message that the view shows; the
transaction then rolls back, so nothing is half written. Stored rows are re-read (and locked)
through this app's doors, so a service handed another clinic's object refuses it.

One module per group of actions: ``appointments``, ``notes`` (the visit and its note, amendments),
``treatments``, ``adverse_events``, ``care`` (care plans, consent), ``requests`` (consultation
requests) and ``recalls`` (follow-ups and re-assessments due); ``common`` holds the refusals.
Callers import from here (``from atlaschart.visits import services``).
"""

from atlaschart.visits.services.adverse_events import (
    record_followup,
    review_adverse_event,
)
from atlaschart.visits.services.appointments import (
    TRANSITIONS,
    appointment_end,
    book_appointment,
    book_recurring,
    book_slot,
    bookable_range_message,
    booking_warnings,
    care_plan_starts,
    set_status,
)
from atlaschart.visits.services.care import (
    create_care_plan,
    record_consent,
)
from atlaschart.visits.services.common import (
    AmendmentConflict,
    NeedsConfirmation,
    StoredNote,
    VisitError,
    acting_user,
    locked_row,
    refuse_before_its_day,
)
from atlaschart.visits.services.notes import (
    amend_note,
    current_text,
    needs_followup,
    note_version,
    open_visit,
    sign_note,
    update_note,
)
from atlaschart.visits.services.recalls import (
    REASSESSMENT_GRACE_DAYS,
    DueFollowup,
    DueReassessment,
    due_followups,
    due_reassessments,
    reassessment_due_dates,
)
from atlaschart.visits.services.requests import (
    convert_request,
    decline_request,
    submit_consultation_request,
)
from atlaschart.visits.services.treatments import (
    add_treatment,
    delete_draft_treatment,
    sign_treatment,
)

__all__ = [
    "REASSESSMENT_GRACE_DAYS",
    "TRANSITIONS",
    "AmendmentConflict",
    "DueFollowup",
    "DueReassessment",
    "NeedsConfirmation",
    "StoredNote",
    "VisitError",
    "acting_user",
    "add_treatment",
    "amend_note",
    "appointment_end",
    "book_appointment",
    "book_recurring",
    "book_slot",
    "bookable_range_message",
    "booking_warnings",
    "care_plan_starts",
    "convert_request",
    "create_care_plan",
    "current_text",
    "decline_request",
    "delete_draft_treatment",
    "due_followups",
    "due_reassessments",
    "locked_row",
    "needs_followup",
    "note_version",
    "open_visit",
    "reassessment_due_dates",
    "record_consent",
    "record_followup",
    "refuse_before_its_day",
    "review_adverse_event",
    "set_status",
    "sign_note",
    "sign_treatment",
    "submit_consultation_request",
    "update_note",
]
