"""People: clinics, members of staff of a role, and patients.

Patients are made through ``atlaschart.patients.services.create_patient`` as a member of staff
(``by``), so each one gets its clinic from who made it, a chart number from the clinic's counter
when none is given, and its row in the access log, as on the "new patient" page.

Clinics and staff have no service of their own: the staff page saves its form's user with
``set_password``, which is what ``staff`` does (a clinic's settings page edits an existing
clinic; clinics are made by the demo loader and the admin site).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from atlaschart.lib.actor import Actor

if TYPE_CHECKING:
    from atlaschart.accounts.models import User
    from atlaschart.clinics.models import Clinic
    from atlaschart.patients.models import Patient


def clinic(name: str, slug: str, **fields: Any) -> Clinic:
    from atlaschart.clinics.models import Clinic

    return Clinic.objects.create(name=name, slug=slug, **fields)


def staff(
    clinic: Clinic | None, role: str, username: str, password: str | None = None, **fields: Any
) -> User:
    """A member of staff of ``clinic`` (``None``: a user of no clinic) with ``role``; without a
    password the account cannot sign in with one (tests sign in with ``personas.login``)."""
    from atlaschart.accounts.models import User

    user = User(username=username, clinic=clinic, role=role, **fields)
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save()
    return user


def patient(
    by: User,
    name: str = "홍길동",
    date_of_birth: date = date(1980, 1, 1),
    **fields: Any,
) -> Patient:
    """A patient of ``by``'s clinic, made by ``by`` as the "new patient" page would; ``fields``
    are the patient's (``chart_number``, ``sex``, ``name_latin``, ``phone``, ...)."""
    from atlaschart.patients.services import create_patient

    return create_patient(
        Actor.system(by, via="test"), {"name": name, "date_of_birth": date_of_birth, **fields}
    )
