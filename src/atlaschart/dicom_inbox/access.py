"""The door to the imaging inbox: every held study is scoped to the acting user's clinic, and one
of another clinic is a 404, exactly like one that does not exist.

A held item names a patient (as the machine wrote them) before any chart is linked, so it is
reached only through this door and every item shown is written to the access log."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest

from atlaschart.audit.models import Action
from atlaschart.dicom_inbox.models import InboxItem
from atlaschart.lib.access import Door
from atlaschart.lib.actor import Actor

Who = Actor | HttpRequest

inbox_door = Door(
    InboxItem,
    clinic_field="clinic_id",
    patient_attr="",
    related=("patient", "resolved_by"),
    label="imaging inbox item",
)


def inbox_of_clinic(who: Who) -> QuerySet[InboxItem]:
    """The acting user's clinic's inbox (not logged: callers log what they show)."""
    return inbox_door.of_clinic(who)


def get_inbox_item_for_user(
    who: Who, pk: int, action: Action = Action.VIEW, detail: str = "", *, log: bool = True
) -> InboxItem:
    return inbox_door.get(who, pk, action, detail, log=log)
