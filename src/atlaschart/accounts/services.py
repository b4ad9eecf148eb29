"""Changes to who may use the clinic's records: staff accounts, their roles and second factors.

Each change is written to the access log with the acting admin, as the rules on access to
personal information ask (a record of every grant, change and withdrawal of access rights,
docs/audit.md): which fields of the account changed (names, never values; a new password is
"password"), and a reset of the second factor.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from atlaschart.accounts import two_factor
from atlaschart.accounts.models import Role, User
from atlaschart.audit.models import Action
from atlaschart.audit.services import log_access
from atlaschart.lib.actor import Actor
from atlaschart.lib.refusal import Refused

#: The account fields the staff form edits (the password apart).
STAFF_FIELDS = ("username", "display_name", "email", "role", "language", "is_active")
#: The access-log detail of a second-factor reset (audit/describe.py words it).
TWO_FACTOR_RESET = "second factor reset"


class StaffChangeRefused(Refused):
    """The change would lock the admin out of their own clinic; nothing was saved."""


def _acting_admin(actor: Actor) -> tuple[User, int]:
    """The admin and their clinic (the view's permission check let only such a user through)."""
    if actor.user is None or actor.clinic_id is None:
        raise ValueError("a staff change needs a signed-in clinic admin")
    return actor.user, actor.clinic_id


@transaction.atomic
def save_staff_user(actor: Actor, user: User, data: dict[str, Any], password: str) -> User:
    """Create (``user.pk`` is None) or change a staff account of the acting admin's clinic.

    ``data`` holds the form's cleaned ``STAFF_FIELDS``; ``password`` is empty to keep the
    current one. Refused (``StaffChangeRefused``) when admins would take away their own admin
    role or deactivate themselves."""
    admin, clinic_id = _acting_admin(actor)
    if user.pk == admin.pk and (
        data.get("role") != Role.CLINIC_ADMIN or not data.get("is_active", True)
    ):
        raise StaffChangeRefused(_("You cannot remove your own admin role or deactivate yourself."))
    if user.pk is None:
        created = User(clinic_id=clinic_id, **{f: data[f] for f in STAFF_FIELDS if f in data})
        created.set_password(password)
        created.save()
        log_access(actor, Action.CREATE, patient=None, obj=created, detail=_fields_detail(data))
        return created
    stored = User.objects.select_for_update().get(pk=user.pk, clinic_id=clinic_id)
    changed = [f for f in STAFF_FIELDS if f in data and getattr(stored, f) != data[f]]
    for field in changed:
        setattr(stored, field, data[field])
    if password:
        stored.set_password(password)
        changed.append("password")
    if changed:
        stored.save()
        log_access(actor, Action.UPDATE, patient=None, obj=stored, detail=_fields_detail(changed))
    return stored


def _fields_detail(fields: Any) -> str:
    # The access log's "fields: a, b" form (audit/describe.py turns it into the field names).
    return "fields: " + ", ".join(str(f) for f in fields)


@transaction.atomic
def reset_second_factor(actor: Actor, user: User) -> None:
    """An admin's reset of a colleague's authenticator and recovery codes (they set up a new one
    at their next sign-in), logged."""
    _acting_admin(actor)
    two_factor.reset_devices(user)
    log_access(actor, Action.UPDATE, patient=None, obj=user, detail=TWO_FACTOR_RESET)
