"""``atlaschart outcomes``: a clinic's outcome figures as JSON (docs/cli.md, stable format).

The same figures as the clinic outcomes page (``atlaschart.outcomes.services``). The command is
run by the operator of the server, who reads the clinic's records as its clinic admin would; the
figures name no patient. Exit 2 with a one-line message for an unknown clinic, a bad date or an
unknown questionnaire.
"""

from __future__ import annotations

import argparse
from typing import Any

from atlaschart.commands._common import UsageError, print_json
from atlaschart.commands._django import setup_django


def run(args: argparse.Namespace) -> int:
    setup_django()
    from django.utils import translation

    from atlaschart.accounts.models import Role, User
    from atlaschart.clinics.models import Clinic
    from atlaschart.lib.actor import Actor
    from atlaschart.outcomes.services import Filters, OutcomesError, clinic_outcomes, parse_date

    translation.activate("en")
    clinic = Clinic.objects.filter(slug=args.clinic).first()
    if clinic is None:
        raise UsageError(f"no clinic with the short name {args.clinic!r}")
    try:
        filters = Filters(
            date_from=parse_date(args.date_from, "--from"),
            date_to=parse_date(args.date_to, "--to"),
            instrument=args.instrument,
        )
        # An unsaved stand-in for the operator, so the scores are read through the same doors
        # (scoped to this clinic) as on the page.
        operator = User(username="cli", clinic=clinic, role=Role.CLINIC_ADMIN)
        outcomes = clinic_outcomes(Actor.system(operator, via="cli"), filters)
    except OutcomesError as exc:
        raise UsageError(str(exc)) from exc
    print_json(outcomes.as_json(clinic.slug))
    return 0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "outcomes",
        help="a clinic's outcome figures (responders, median change) as JSON",
        description="Clinic outcomes for patients whose baseline falls in a date range.",
    )
    parser.add_argument("--clinic", required=True, help="the clinic's short name (slug)")
    parser.add_argument("--from", dest="date_from", help="first baseline day, YYYY-MM-DD")
    parser.add_argument("--to", dest="date_to", help="last day, YYYY-MM-DD")
    parser.add_argument("--instrument", help="one questionnaire id (nprs, ndi, odi, ...)")
    parser.set_defaults(handler=run)
