"""Intake links, the patient's answers, submitted intakes and follow-ups, made through
``atlaschart.intake.services``: a member of staff creates the link, the patient (an actor with
no user) answers it step by step and sends it, as on the patient's pages.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from atlaschart.lib.actor import Actor

if TYPE_CHECKING:
    from atlaschart.accounts.models import User
    from atlaschart.intake.models import FollowUp, Intake, IntakeLink
    from atlaschart.patients.models import Patient

CONSENT = {"consent_personal": "yes", "consent_health": "yes"}
"""Both consents of the intake's first step given."""

PATIENT = Actor(user=None, client_ip="127.0.0.1")
"""The patient filling a link: no user, as on the patient's pages."""


def token_in(page: str) -> str:
    """The token of the link a page shows (the desk's link page, the follow-up page)."""
    return page.split("/intake/p/")[1].split("/")[0]


def link_of(token: str) -> IntakeLink:
    """The stored link of ``token`` (only its hash is stored)."""
    from atlaschart.intake.models import IntakeLink

    return IntakeLink.objects.get(token_hash=hashlib.sha256(token.encode()).hexdigest())


def intake_link(
    by: User, patient: Patient, instruments: Iterable[str] | None = None
) -> tuple[IntakeLink, str]:
    """A new intake link created by ``by``; returns it and its token. ``instruments`` narrows
    the questionnaires to ask (the clinic's choice unless told)."""
    from atlaschart.intake.services import create_link

    link, token = create_link(Actor.system(by, via="test"), patient)
    if instruments is not None:
        # No service narrows one link's questionnaires (the clinic's settings choose them for
        # every link); changing those settings would change every later link of the test.
        link.instruments = list(instruments)
        link.save(update_fields=["instruments"])
    return link, token


def answered(link: IntakeLink, answers: dict[str, Any], language: str | None = None) -> None:
    """The patient answers ``answers`` (field name -> the value the page posts), each step
    saved as the page saves it; an intake's consent step goes first. ``language`` is the page's
    language the patient chose."""
    from atlaschart.intake import steps
    from atlaschart.intake.services import save_step, set_language

    if language is not None:
        set_language(PATIENT, link, language)
    spec = steps.spec_of(link)
    left = dict(answers)
    for step in sorted(spec.step_keys, key=lambda step: step != "consent"):
        names = {field.name for field in steps.step_fields(step, spec)}
        part = {name: left.pop(name) for name in list(left) if name in names}
        if part:
            save_step(PATIENT, link, step, steps.clean_step(step, part, spec))
    assert not left, f"no step of this link asks {sorted(left)}"
    link.refresh_from_db()


def submitted_intake(
    by: User,
    patient: Patient,
    answers: dict[str, Any],
    *,
    instruments: Iterable[str] = ("nprs", "psfs"),
    language: str = "ko",
) -> Intake:
    """An intake link created by ``by``, answered (both consents and ``answers``) and sent by
    the patient in ``language``."""
    from atlaschart.intake.services import submit_intake

    link, _token = intake_link(by, patient, instruments)
    answered(link, {**CONSENT, **answers}, language)
    return submit_intake(PATIENT, link)


def followup_link(by: User, patient: Patient, instruments: Iterable[str]) -> tuple[IntakeLink, str]:
    """A follow-up link asking ``instruments``, created by ``by``; returns it and its token."""
    from atlaschart.intake.services import create_followup_link

    return create_followup_link(Actor.system(by, via="test"), patient, list(instruments))


def followup_sent(link: IntakeLink) -> FollowUp:
    """The patient sends the follow-up ``link`` as it is answered."""
    from atlaschart.intake.services import submit_followup

    return submit_followup(PATIENT, link)


def submitted_followup(
    by: User,
    patient: Patient,
    instruments: Iterable[str],
    answers: dict[str, Any],
    language: str | None = None,
) -> FollowUp:
    """A follow-up link created by ``by``, answered with ``answers`` and sent by the patient
    (in ``language`` if the patient switched the page's language)."""
    from atlaschart.intake.services import submit_followup

    link, _token = followup_link(by, patient, instruments)
    answered(link, answers, language)
    return submit_followup(PATIENT, link)
