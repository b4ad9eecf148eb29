"""The one door to patient data.

Every kind of patient record declares one :class:`Door`; its module exposes the pair
``<kinds>_of_clinic(who)`` / ``get_<kind>_for_user(who, pk, ...)`` built on it. No view or service
queries a patient-data model except through a door. A door

- scopes every query to the acting user's clinic (a record of another clinic is a 404, exactly like
  one that does not exist, so existence is not leaked);
- writes the access log for every record it hands out;
- raises :class:`RecordNotFound`, which the access log records as a ``denied`` attempt.

One condition per line, so the URL-walk test proves each.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.db import models
from django.http import Http404, HttpRequest

from atlaschart.lib.actor import Actor, as_actor

if TYPE_CHECKING:
    from atlaschart.patients.models import Patient

M = TypeVar("M", bound=models.Model)


# Every door declared anywhere, in import order: the tests mutate each one in turn to prove that
# the URL walk notices a door that lost its clinic filter.
DOORS: list[Door[Any]] = []


class RecordNotFound(Http404):
    """No such record in the acting user's clinic (it may exist in another clinic)."""


@dataclass(frozen=True)
class Door(Generic[M]):
    """How one kind of patient record is reached.

    ``clinic_field`` is the lookup from the record to its clinic's id (``"patient__clinic_id"``);
    ``patient_attr`` the dotted attribute path from the record to its patient
    (``"session.patient"``), ``"self"`` for the patient record itself, or ``""`` for records
    that need not have one (a consultation request); ``label`` names the record in the 404
    (never shown to users: the page is generic).
    """

    model: type[M]
    clinic_field: str
    patient_attr: str
    related: tuple[str, ...] = ()
    label: str = "record"

    def __post_init__(self) -> None:
        DOORS.append(self)

    def of_clinic(self, who: Actor | HttpRequest) -> models.QuerySet[M]:
        """All records of this kind in the acting user's clinic (not logged: callers log what
        they show)."""
        clinic_id = as_actor(who).clinic_id
        if clinic_id is None:
            return self.model._default_manager.none()
        return self.model._default_manager.filter(**{self.clinic_field: clinic_id})

    def patient_of(self, obj: M) -> Patient | None:
        if self.patient_attr == "self":
            return obj  # type: ignore[return-value]  # a door of Patient rows (M is Patient)
        if not self.patient_attr:
            return getattr(obj, "patient", None)
        value: Patient | None = attrgetter(self.patient_attr)(obj)
        return value

    def get(
        self,
        who: Actor | HttpRequest,
        pk: Any,
        action: str = "view",
        detail: str = "",
        *,
        once_per_session: bool = False,
        log: bool = True,
    ) -> M:
        """The record ``pk`` of the acting user's clinic, logged as ``action``; else 404.

        ``once_per_session`` logs a record once per browser session (image tiles: a window/level
        drag would otherwise write hundreds of identical rows). ``log=False`` is for services that
        write their own row for the same action.
        """
        actor = as_actor(who)
        obj = self.of_clinic(actor).select_related(*self.related).filter(pk=pk).first()
        if obj is None:
            raise RecordNotFound(f"No such {self.label}")
        if log:
            request = who if isinstance(who, HttpRequest) else None
            if once_per_session and request is not None and _seen_this_session(request, obj):
                return obj
            _log(actor, action, patient=self.patient_of(obj), obj=obj, detail=detail)
        return obj


_SESSION_KEY = "access_logged"


def _seen_this_session(request: HttpRequest, obj: models.Model) -> bool:
    seen: list[str] = request.session.get(_SESSION_KEY, [])
    key = f"{obj._meta.label_lower}:{obj.pk}"
    if key in seen:
        return True
    request.session[_SESSION_KEY] = [*seen[-500:], key]
    return False


def _log(
    actor: Actor, action: str, *, patient: Patient | None, obj: models.Model, detail: str
) -> None:
    from atlaschart.audit.services import log_access

    log_access(actor, action, patient=patient, obj=obj, detail=detail)


def log_shown(who: Actor | HttpRequest, patients: Iterable[Patient], detail: str = "") -> None:
    """Record that these patients were shown in a list (one row each)."""
    from atlaschart.audit.services import log_listing

    log_listing(as_actor(who), patients, detail=detail)
