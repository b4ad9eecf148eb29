"""Stored safety screens and the clinician's acknowledgement of each finding.

Both are written once and never changed (``save`` refuses updates): a new answer or sign makes a
new screen, and the chart shows the latest. ``answers`` is the exact input given to the core's
``screen()``, so every stored result can be recomputed for its ``rules_version``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from atlaschart.lib.records import AppendOnlyModel


class Source(models.TextChoices):
    INTAKE = "intake", _("patient intake")
    CLINICIAN = "clinician", _("clinician entry")


class ScreenRecord(AppendOnlyModel):
    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        related_name="safety_screens",
        verbose_name=_("patient"),
    )
    intake = models.ForeignKey(
        "intake.Intake",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("screened at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    answers = models.JSONField(_("answers"))
    rules_version = models.CharField(_("rules version"), max_length=20)
    level = models.CharField(_("level"), max_length=20)
    findings = models.JSONField(_("findings"))
    parameters = models.JSONField(default=dict)
    based_on = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("based on"),
    )
    """The screen whose answers this one started from (None for a first screen or an intake)."""
    reassessed = models.JSONField(_("re-assessed answers"), default=dict, blank=True)
    """``{item: {"before": answer, "after": answer}}`` for each of the patient's own answers that
    a clinician's interview changed; the screen it was ``based_on`` keeps the patient's answers."""
    reassessment_reason = models.TextField(_("reason for the re-assessment"), blank=True)
    """Required (non-blank, at least ``MIN_REASON_CHARS``) whenever ``reassessed`` is not empty."""

    class Meta:
        ordering = ["-created_at", "-id"]
        get_latest_by = ["created_at", "id"]
        verbose_name = _("safety screen")
        verbose_name_plural = _("safety screens")

    def __str__(self) -> str:
        return f"safety screen {self.pk}: {self.level}"


class AckAction(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", _("acknowledged (block stands)")
    OVERRIDE = "override", _("overridden with a reason")


class Acknowledgement(AppendOnlyModel):
    screen = models.ForeignKey(ScreenRecord, on_delete=models.PROTECT, related_name="acks")
    rule = models.CharField(_("finding"), max_length=60)
    level = models.CharField(_("level"), max_length=20)
    action = models.CharField(_("action"), max_length=20, choices=AckAction.choices)
    reason = models.TextField(_("reason"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"))
    carried_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        constraints = [
            models.UniqueConstraint(
                fields=["screen", "rule", "action"], name="one_ack_per_finding_and_action"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.rule}"
