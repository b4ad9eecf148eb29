"""What every visits service shares: the refusals, the acting user, locked re-reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from atlaschart.accounts.models import User
from atlaschart.lib.access import Door, RecordNotFound
from atlaschart.lib.actor import Actor
from atlaschart.lib.refusal import Refused

M = TypeVar("M", bound=models.Model)


class VisitError(Refused):
    """A refused action; ``str(err)`` is the translated message for the user."""


class NeedsConfirmation(VisitError):
    """The booking is allowed but unusual (holiday, closed day, outside the hours): nothing was
    booked; ``warnings`` says why, and the same booking with ``confirmed=True`` goes through."""

    def __init__(self, warnings: list[str]) -> None:
        super().__init__(" ".join(warnings))
        self.warnings = warnings


@dataclass(frozen=True)
class StoredNote:
    """The note as stored when an amendment was refused: its text and who changed it last."""

    text: dict[str, str]
    version: int
    last_author: str
    last_at: datetime | None


class AmendmentConflict(VisitError):
    """Someone amended the note after this author opened it; nothing was saved.

    ``stored`` is the text now stored, so the page can show it beside the author's own text.
    """

    def __init__(self, message: str, stored: StoredNote) -> None:
        super().__init__(message)
        self.stored = stored


def locked_row(door: Door[M], actor: Actor, pk: Any) -> M:
    """The stored row ``pk`` of the actor's clinic, locked until the transaction ends.

    ``of=("self",)`` locks only this row on PostgreSQL, not the patient row the clinic filter
    joins (two notes of one patient must not wait on each other).
    """
    obj = door.of_clinic(actor).select_for_update(of=("self",)).filter(pk=pk).first()
    if obj is None:
        raise RecordNotFound(f"No such {door.label}")
    return obj


def acting_user(actor: Actor) -> User:
    if actor.user is None or actor.clinic_id is None:
        raise VisitError(_("Sign in as a member of the clinic to do this."))
    return actor.user


def refuse_before_its_day(day: Any) -> None:
    """A visit is documented on or after its appointment's day, never ahead of it: a note
    written before the patient came would record care that has not happened."""
    if day > timezone.localdate():
        raise VisitError(
            _("This visit is on %(day)s. It cannot be documented before that day.")
            % {"day": day.isoformat()}
        )
