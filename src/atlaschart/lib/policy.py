"""The role policy: which role may list, read, write, sign or export which kind of record.

This table is the one place the rule lives. ``docs/roles.md`` states it in words and the URL-walk
test (tests/web/test_url_walk.py) checks every URL against it. Views declare what they need with
``permission_required(kind, permission)``; the navigation asks ``allows`` (through the ``can``
template context) so it never shows a link that would answer 403.

Front desk works by the minimum-necessary principle (PIPA; HIPAA 45 CFR 164.502(b)): the
demographics, appointments, calendar, consultation requests, intake links and the *status* of an
intake or a safety screen (done, or needs a clinician), never clinical content.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase


class Kind(StrEnum):
    """Kinds of record, as the policy and docs/roles.md name them."""

    DEMOGRAPHICS = "demographics"  # the patient record: name, birth date, contact, chart number
    APPOINTMENT = "appointment"  # appointments and the calendar
    CONSULTATION_REQUEST = "consultation_request"
    INTAKE_LINK = "intake_link"  # sending an intake or follow-up link
    INTAKE_STATUS = "intake_status"  # whether an intake or screen is done / needs a clinician
    INTAKE_ANSWERS = "intake_answers"  # intake and follow-up answers, pain map, scores
    SAFETY_SCREEN = "safety_screen"  # red-flag findings
    EXAM = "exam"
    POSTURE = "posture"  # posture photos, landmarks and metrics
    IMAGING = "imaging"  # radiographs, CBCT, analyses
    VISIT_NOTE = "visit_note"  # visit notes, treatments, amendments
    CARE_PLAN = "care_plan"  # care plans and their goals
    ADVERSE_EVENT = "adverse_event"
    ACCESS_LOG = "access_log"
    STAFF = "staff"
    CLINIC_SETTINGS = "clinic_settings"  # MDC settings, listing tables, intake settings
    OUTCOMES = "outcomes"  # the clinic's outcome figures (aggregates, no patient named)
    # The partners' read-only FHIR API tokens (docs/api.md); the name of a kind, not a secret.
    API_TOKEN = "api_token"  # noqa: S105
    CALENDAR_FEED = "calendar_feed"  # one's own appointments as a secret calendar address
    WHOLE_RECORD = "whole_record"  # the patient's whole record as FHIR (bundle, photos, DICOM)


class Permission(StrEnum):
    LIST = "list"
    READ = "read"
    WRITE = "write"
    SIGN = "sign"
    EXPORT = "export"


L, R, W, S, E = (
    Permission.LIST,
    Permission.READ,
    Permission.WRITE,
    Permission.SIGN,
    Permission.EXPORT,
)

_CLINICAL_CONTENT: Mapping[Kind, frozenset[Permission]] = {
    Kind.INTAKE_ANSWERS: frozenset({L, R}),
    Kind.SAFETY_SCREEN: frozenset({L, R, W, S}),
    Kind.EXAM: frozenset({L, R, W}),
    Kind.POSTURE: frozenset({L, R, W, E}),
    Kind.IMAGING: frozenset({L, R, W, E}),
    Kind.VISIT_NOTE: frozenset({L, R, W, S}),
    Kind.CARE_PLAN: frozenset({L, R, W}),
    Kind.ADVERSE_EVENT: frozenset({L, R, W}),
    Kind.OUTCOMES: frozenset({R, E}),
    # Clinicians see their own appointments in their phone's calendar (times and chart numbers).
    Kind.CALENDAR_FEED: frozenset({R, W}),
    # The whole record leaves the clinic (the patient's copy, a move to another clinic): only
    # the roles that read every part of it, with a reason, logged (docs/fhir.md).
    Kind.WHOLE_RECORD: frozenset({E}),
}

_FRONT_OF_HOUSE: Mapping[Kind, frozenset[Permission]] = {
    Kind.DEMOGRAPHICS: frozenset({L, R, W}),
    Kind.APPOINTMENT: frozenset({L, R, W}),
    Kind.CONSULTATION_REQUEST: frozenset({L, R, W}),
    Kind.INTAKE_LINK: frozenset({W}),
    Kind.INTAKE_STATUS: frozenset({L, R}),
}

# Role values are the ``accounts.models.Role`` choices (kept as strings so this module does not
# import the accounts app's models at import time).
POLICY: Mapping[str, Mapping[Kind, frozenset[Permission]]] = {
    "front_desk": {**_FRONT_OF_HOUSE},
    "clinician": {**_FRONT_OF_HOUSE, **_CLINICAL_CONTENT},
    "admin": {
        **_FRONT_OF_HOUSE,
        **_CLINICAL_CONTENT,
        Kind.DEMOGRAPHICS: frozenset({L, R, W, E}),
        # An adverse event is signed off (reviewed) by the clinic admin.
        Kind.ADVERSE_EVENT: frozenset({L, R, W, S}),
        Kind.ACCESS_LOG: frozenset({L, R, E}),
        Kind.STAFF: frozenset({L, R, W}),
        Kind.CLINIC_SETTINGS: frozenset({R, W}),
        # A token lets a partner system read every patient's record: only the admin makes one.
        Kind.API_TOKEN: frozenset({L, R, W}),
    },
}


def allows(user: Any, kind: Kind, permission: Permission) -> bool:
    """Whether this user may do ``permission`` on records of ``kind`` in their own clinic."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if getattr(user, "clinic_id", None) is None:
        return False
    return permission in POLICY.get(getattr(user, "role", ""), {}).get(kind, frozenset())


def require(user: Any, kind: Kind, permission: Permission) -> None:
    """Raise ``PermissionDenied`` (a 403 page, and a ``denied`` row in the access log)."""
    if not allows(user, kind, permission):
        raise PermissionDenied


# A page, a redirect, a file or a streamed download.
View = Callable[..., HttpResponseBase]


def permission_required(kind: Kind, permission: Permission) -> Callable[[View], View]:
    """A view decorator: only members of a clinic whose role the policy allows get through."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            require(request.user, kind, permission)
            return view(request, *args, **kwargs)

        # A mark the access tests read (test_url_walk_bites); functions have no typed attributes.
        wrapped.atlaschart_permission = (kind, permission)  # type: ignore[attr-defined]
        return wrapped

    return decorator


class _KindPermissions:
    """``can.exam.read`` in a template: a lazy view of the policy for one user."""

    def __init__(self, user: Any) -> None:
        self._user = user

    def __getattr__(self, name: str) -> dict[str, bool]:
        try:
            kind = Kind(name)
        except ValueError:
            raise AttributeError(name) from None
        return {p.value: allows(self._user, kind, p) for p in Permission}

    def __getitem__(self, name: str) -> dict[str, bool]:
        return self.__getattr__(name)


def can_context(request: HttpRequest) -> dict[str, Any]:
    """Template context processor: ``{% if can.imaging.read %}``."""
    return {"can": _KindPermissions(getattr(request, "user", None))}
