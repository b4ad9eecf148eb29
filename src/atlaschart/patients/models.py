from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Not recorded")


def digits_only(text: str) -> str:
    return re.sub(r"\D", "", text)


class Patient(models.Model):
    """A patient of one clinic. Never deleted from the app: archived instead.

    ``name`` is written as the patient writes it (e.g. 김민준, family name first, no space);
    ``name_latin`` is the romanised or foreign form (e.g. "Minjun Kim"). ``search_text`` is a
    normalised copy of the searchable fields, kept in step by ``save()``, so a search is one
    ``LIKE`` on one column.
    """

    clinic = models.ForeignKey(
        "clinics.Clinic",
        on_delete=models.PROTECT,
        related_name="patients",
        verbose_name=_("clinic"),
    )
    chart_number = models.CharField(_("chart number"), max_length=20)
    name = models.CharField(_("name"), max_length=120)
    name_latin = models.CharField(_("name in Latin letters"), max_length=120, blank=True)
    date_of_birth = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=[("ko", _("Korean")), ("en", _("English"))],
        default="ko",
    )
    # The patient asked for no follow-up links or reminders by e-mail or text message; links
    # can still be handed over in the clinic (printed as a QR code).
    no_followup_messages = models.BooleanField(
        _("no follow-up messages"),
        default=False,
        help_text=_("The patient asked not to receive follow-up links or reminders."),
    )
    notes = models.TextField(_("administrative notes"), blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    search_text = models.CharField(max_length=400, editable=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("patient")
        verbose_name_plural = _("patients")
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "chart_number"], name="unique_chart_number_per_clinic"
            ),
        ]
        indexes = [models.Index(fields=["clinic", "archived_at", "name"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.chart_number})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_text = self.build_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def age_on(self, day: date) -> int:
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))

    def build_search_text(self) -> str:
        parts = [
            self.name.lower(),
            self.name.replace(" ", "").lower(),
            self.name_latin.lower(),
            self.chart_number.lower(),
            digits_only(self.phone),
            self.date_of_birth.isoformat() if self.date_of_birth else "",
        ]
        return "|".join(part for part in parts if part)
