"""Sending a follow-up link to the patient: by e-mail (Django's mail backends), or by text
message through a provider the clinic plugs in (none is shipped).

* ``send_followup_link(actor, patient, instruments, channel)`` creates the link with the existing
  follow-up service (``services.create_followup_link``: same questionnaires, carried regions,
  expiry and access-log row) and sends it in the patient's preferred language (Korean or
  English templates under ``intake/email/``). Refused, with nothing sent and no link left open,
  when the patient asked for no follow-up messages (``Patient.no_followup_messages``), has no
  address for the channel, or the channel is not configured.
* E-mail: ``EMAIL_BACKEND`` and ``DEFAULT_FROM_EMAIL`` (settings; the console backend unless
  configured, so the demo prints the mail). Links need the public address of the site:
  ``ATLASCHART_PUBLIC_URL``.
* SMS: set ``ATLASCHART_SMS_SENDER`` to the dotted path of a class with the :class:`SmsSender`
  shape (``send(phone, text)``, raising :class:`SendFailed` on failure). docs/intake.md says how.
* In the clinic the link can instead be shown on screen and printed as a QR code (the link page).

Sending runs as a Celery task (``intake.tasks``), in-process when no broker is configured.
"""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from atlaschart.audit.models import Action
from atlaschart.audit.services import log_access
from atlaschart.intake import services
from atlaschart.intake.models import IntakeLink
from atlaschart.intake.steps import FOLLOWUP_STEPS
from atlaschart.lib.actor import Actor
from atlaschart.lib.refusal import Refused
from atlaschart.patients.models import Patient

CHANNELS = ("email", "sms")


class SendingRefused(Refused):
    """Nothing was sent; the message says why, in the user's language."""


class SendFailed(RuntimeError):
    """A provider could not deliver (raised by a :class:`SmsSender`)."""


class SmsSender(Protocol):
    """What a text-message provider adapter offers (none is shipped; see the module docstring)."""

    def send(self, phone: str, text: str) -> None: ...


def sms_sender() -> SmsSender | None:
    path = getattr(settings, "ATLASCHART_SMS_SENDER", "")
    if not path:
        return None
    sender: SmsSender = import_string(path)()
    return sender


def link_url(token: str) -> str:
    base = str(getattr(settings, "ATLASCHART_PUBLIC_URL", "")).rstrip("/")
    return base + reverse("intake:fill", args=[token, FOLLOWUP_STEPS[0][0]])


def _language(patient: Patient) -> str:
    return patient.preferred_language if patient.preferred_language in ("ko", "en") else "ko"


def check_can_send(patient: Patient, channel: str) -> None:
    """Raise :class:`SendingRefused` when this patient cannot be sent a link by ``channel``."""
    if channel not in CHANNELS:
        raise SendingRefused(_("Unknown way of sending."))
    if patient.no_followup_messages:
        raise SendingRefused(
            _("The patient asked for no follow-up messages. Hand the link over in the clinic.")
        )
    if channel == "email" and not patient.email:
        raise SendingRefused(_("The patient has no e-mail address."))
    if channel == "sms":
        if not patient.phone:
            raise SendingRefused(_("The patient has no phone number."))
        if sms_sender() is None:
            raise SendingRefused(_("No text-message provider is set up for this clinic."))


def send_followup_link(
    actor: Actor, patient: Patient, instruments: list[str], channel: str = "email"
) -> IntakeLink:
    """Create a follow-up link and send it (module docstring). Raises :class:`SendingRefused`
    (or the service's ``FollowUpRefused``) with nothing sent."""
    check_can_send(patient, channel)
    link, token = services.create_followup_link(actor, patient, instruments)
    language = _language(patient)
    with translation.override(language):
        context = {
            "patient": patient,
            "clinic": patient.clinic,
            "url": link_url(token),
            "expires_at": link.expires_at,
        }
        subject = render_to_string("intake/email/followup_link_subject.txt", context).strip()
        body = render_to_string("intake/email/followup_link_body.txt", context)
    try:
        if channel == "email":
            send_mail(subject, body, None, [patient.email])
        else:
            sender = sms_sender()
            assert sender is not None  # checked above
            sender.send(patient.phone, f"{subject}\n{context['url']}")
    except (OSError, SendFailed) as exc:
        # Nothing reached the patient: the link is withdrawn so no open link is left behind.
        services.revoke_link(actor, link)
        raise SendingRefused(_("The message could not be sent; try again later.")) from exc
    log_access(
        actor, Action.EXPORT, patient=patient, obj=link, detail=f"follow-up link sent by {channel}"
    )
    return link
