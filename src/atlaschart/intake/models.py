"""Intake records: clinic choices, licensed wording packs, one-time links, submitted intakes,
follow-ups and questionnaire scores.

A link's token is shown once (URL and QR code) and stored only as its SHA-256 hash. A link is
either a first intake or a follow-up (questionnaires only, PSFS activities carried over from the
baseline, GROC). The draft lives on the link until the patient submits; the submitted
:class:`Intake` or :class:`FollowUp` and its :class:`QuestionnaireResponse` rows are never
changed afterwards (``save`` refuses updates).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from atlaschart.lib.records import AppendOnlyModel


class IntakeSettings(models.Model):
    """Which questionnaires this clinic's intake includes (instrument ids of the core)."""

    clinic = models.OneToOneField(
        "clinics.Clinic",
        on_delete=models.CASCADE,
        related_name="intake_settings",
        verbose_name=_("clinic"),
    )
    instruments = models.JSONField(_("questionnaires"), default=list, blank=True)
    expiry_hours = models.PositiveIntegerField(_("link expires after (hours)"), default=72)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("intake settings")
        verbose_name_plural = _("intake settings")

    def __str__(self) -> str:
        return f"intake settings of clinic {self.clinic_id}"


class WordingPack(models.Model):
    """A clinic's licensed wording for one instrument and language (validated by the core)."""

    clinic = models.ForeignKey(
        "clinics.Clinic",
        on_delete=models.CASCADE,
        related_name="wording_packs",
        verbose_name=_("clinic"),
    )
    instrument = models.CharField(_("questionnaire"), max_length=40)
    language = models.CharField(_("language"), max_length=8)
    version = models.CharField(_("version"), max_length=40)
    data = models.JSONField(_("wording"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("wording pack")
        verbose_name_plural = _("wording packs")
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "instrument", "language"], name="one_wording_pack_per_language"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} {self.version} ({self.language})"


class LinkKind(models.TextChoices):
    INTAKE = "intake", _("intake")
    FOLLOWUP = "followup", _("follow-up")


class IntakeLink(models.Model):
    """A one-time link for one patient. ``draft`` holds the answers so far, field by field.

    ``carried`` holds what a follow-up takes over from the baseline, fixed when the link is made:
    ``{"psfs_activities": [names], "psfs_baseline": response id, "regions": [body-map keys]}``."""

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        related_name="intake_links",
        verbose_name=_("patient"),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    language = models.CharField(max_length=8, default="ko")
    instruments = models.JSONField(default=list)
    kind = models.CharField(
        _("kind"), max_length=10, choices=LinkKind.choices, default=LinkKind.INTAKE
    )
    carried = models.JSONField(default=dict, blank=True)
    draft = models.JSONField(default=dict, blank=True)
    draft_saved_at = models.DateTimeField(null=True, blank=True)
    #: Draft steps already written to the access log: one row per step per link, not one per
    #: autosave.
    logged_steps = models.JSONField(default=list, blank=True)
    #: Set when staff withdrew the link before it was used (sent to the wrong person, a typo in
    #: the phone number): the token then opens nothing, like an expired one.
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("intake link")
        verbose_name_plural = _("intake links")

    def __str__(self) -> str:
        return f"intake link {self.pk} for patient {self.patient_id}"

    def is_usable(self, now: Any = None) -> bool:
        return (
            self.submitted_at is None
            and self.revoked_at is None
            and (now or timezone.now()) < self.expires_at
        )


class _SubmittedAnswers(AppendOnlyModel):
    """What a patient sent through a link: the answers as given, read-only, time-stamped.

    Reverse names follow the class: ``patient.intakes`` / ``link.intake`` and
    ``patient.followups`` / ``link.followup``."""

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        related_name="%(class)ss",
        verbose_name=_("patient"),
    )
    link = models.OneToOneField(IntakeLink, on_delete=models.PROTECT, related_name="%(class)s")
    submitted_at = models.DateTimeField(_("submitted at"))
    language = models.CharField(_("language"), max_length=8)
    answers = models.JSONField(_("answers"))

    #: What the record is, in English for logs and errors (not the translated verbose name).
    kind = "submission"

    class Meta:
        abstract = True
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} of patient {self.patient_id}"


class Intake(_SubmittedAnswers):
    """A submitted intake, with the patient's consent answers as given on its first step.

    ``consent_personal`` (collection and use of personal data, PIPA art. 15) and
    ``consent_health`` (health data, a sensitive category: separate consent, PIPA art. 23) are
    ``None`` for intakes submitted before the consent step existed. When either is refused the
    intake carries no health answers: the clinic asks in person instead."""

    kind = "intake"
    consent_personal = models.BooleanField(_("consent to personal data"), null=True, blank=True)
    consent_health = models.BooleanField(_("consent to health data"), null=True, blank=True)
    consent_version = models.CharField(_("consent text version"), max_length=40, blank=True)

    class Meta(_SubmittedAnswers.Meta):
        verbose_name = _("intake")
        verbose_name_plural = _("intakes")

    @property
    def consented(self) -> bool:
        """Whether the answers could be collected: both consents given (or asked before the
        consent step existed)."""
        if self.consent_personal is None and self.consent_health is None:
            return True
        return bool(self.consent_personal and self.consent_health)


class FollowUp(_SubmittedAnswers):
    """A submitted follow-up (re-assessment): questionnaire answers only."""

    kind = "follow-up"

    class Meta(_SubmittedAnswers.Meta):
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")


class QuestionnaireResponse(AppendOnlyModel):
    """One questionnaire: raw answers plus the score, with instrument version and language.

    The raw answers are the record; the score columns are a cache recomputable with the core's
    ``score(instrument, answers)`` for ``algorithm``."""

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        related_name="questionnaire_responses",
        verbose_name=_("patient"),
    )
    intake = models.ForeignKey(
        Intake,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responses",
    )
    followup = models.ForeignKey(
        FollowUp,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responses",
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    instrument = models.CharField(_("questionnaire"), max_length=40)
    version = models.CharField(_("version"), max_length=40)
    language = models.CharField(_("language"), max_length=8)
    answers = models.JSONField(_("answers"))
    scorable = models.BooleanField(_("scorable"))
    score = models.FloatField(_("score"), null=True, blank=True)
    percent = models.FloatField(_("percent"), null=True, blank=True)
    band = models.CharField(_("band"), max_length=40, blank=True)
    answered = models.PositiveIntegerField(_("items answered"))
    reason = models.CharField(_("why not scored"), max_length=300, blank=True)
    algorithm = models.CharField(_("algorithm"), max_length=80)

    class Meta:
        ordering = ["-recorded_at", "instrument", "id"]
        verbose_name = _("questionnaire response")
        verbose_name_plural = _("questionnaire responses")

    def __str__(self) -> str:
        return f"{self.instrument} {self.score} ({self.recorded_at:%Y-%m-%d})"


class LocalRegions(AppendOnlyModel):
    """The body-map regions a clinician confirmed as the patient's chief complaint ("local");
    every other marked region is "distant" on the progress page.

    A new confirmation is a new row (the latest one counts): an earlier judgement is never
    overwritten, so the record shows what was local when."""

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        related_name="local_regions",
        verbose_name=_("patient"),
    )
    regions = models.JSONField(_("chief-complaint regions"), default=list)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), default=timezone.now)

    class Meta:
        ordering = ["-confirmed_at", "-id"]
        verbose_name = _("chief-complaint regions")
        verbose_name_plural = _("chief-complaint regions")

    def __str__(self) -> str:
        return f"local regions of patient {self.patient_id}"
