"""Starting Django from a subcommand (kept out of subcommands that need no database)."""

from __future__ import annotations

import os
from typing import Any


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atlaschart.web.settings")
    import django

    django.setup()


def chart_as_clinic_admin(clinic_slug: str, chart_number: str) -> tuple[Any, int]:
    """The clinic's first active admin (as the acting user of a command) and the id of the
    patient with this chart number; a ``UsageError`` (one line, exit 2) for an unknown clinic or
    chart, or a clinic without an admin. Call after ``setup_django``.

    The patient is looked up by chart number before any door: the command's service then reaches
    it through its door, which logs the access."""
    from atlaschart.accounts.models import Role, User
    from atlaschart.clinics.models import Clinic
    from atlaschart.commands._common import UsageError
    from atlaschart.lib.actor import Actor
    from atlaschart.patients.models import Patient

    clinic = Clinic.objects.filter(slug=clinic_slug).first()
    if clinic is None:
        raise UsageError(f"no clinic with the short name {clinic_slug!r}")
    patient_id = (
        Patient.objects.filter(clinic=clinic, chart_number=chart_number)
        .values_list("pk", flat=True)
        .first()
    )
    if patient_id is None:
        raise UsageError(f"no patient with chart number {chart_number!r} in clinic {clinic_slug!r}")
    admin = (
        User.objects.filter(clinic=clinic, role=Role.CLINIC_ADMIN, is_active=True)
        .order_by("id")
        .first()
    )
    if admin is None:
        raise UsageError(f"clinic {clinic_slug!r} has no active clinic admin to act as")
    return Actor.system(admin, via="cli"), patient_id
