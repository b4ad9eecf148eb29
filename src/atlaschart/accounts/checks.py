"""Deployment check (``atlaschart check --deploy``): warn when a second factor is not required.

Production must require a second factor of clinic admins and clinicians; a clinic may loosen that,
and this check says so every time someone checks the deployment.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.db import DatabaseError

from atlaschart.accounts.models import Role

STRICT_ROLES = (Role.CLINIC_ADMIN, Role.CLINICIAN)


@register(Tags.security, deploy=True)
def second_factor_policies(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    from atlaschart.accounts.models import ClinicSecurityPolicy

    warnings: list[Warning] = []
    loose_default = [r for r in STRICT_ROLES if r not in settings.TWO_FACTOR_REQUIRED_ROLES]
    if loose_default:
        warnings.append(
            Warning(
                "TWO_FACTOR_REQUIRED_ROLES does not include: " + ", ".join(loose_default),
                hint="Clinics without a policy of their own let these roles sign in with a "
                "password alone.",
                id="atlaschart.W201",
            )
        )
    try:
        policies = list(ClinicSecurityPolicy.objects.select_related("clinic"))
    except DatabaseError:  # no database yet: `atlaschart check` reports that on its own
        return warnings
    for policy in policies:
        loose = [r for r in STRICT_ROLES if not policy.requires_two_factor(r)]
        if loose:
            warnings.append(
                Warning(
                    f"Clinic {policy.clinic.slug!r} does not require a second factor for: "
                    + ", ".join(loose),
                    hint="A clinic admin can change this on the sign-in security page.",
                    id="atlaschart.W202",
                )
            )
    return warnings
