"""Examination records. ``raw`` holds exactly what the clinician entered (the record); ``derived``
holds values computed by the measurement core, each with the algorithm id@version that made them
(a cache, recomputable from ``raw`` with ``exams.kinds.build``). Records are never edited: a
correction is a new record."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from atlaschart.exams import display
from atlaschart.exams.kinds import KINDS
from atlaschart.exams.timing import Timing

__all__ = ["ExamKind", "ExamRecord", "Timing"]

#: The registered kinds as model choices (``ExamKind.NEURO == "neuro"``), in the registry's order.
# The stubs type only the one-label functional form; Django also takes (name, (value, label)) pairs.
ExamKind = models.TextChoices(  # type: ignore[call-overload]
    "ExamKind", [(value.upper(), (value, spec.label)) for value, spec in KINDS.items()]
)


class ExamRecord(models.Model):
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        related_name="exam_records",
        verbose_name=_("patient"),
    )
    visit = models.ForeignKey(
        "visits.Visit", on_delete=models.PROTECT, null=True, blank=True, related_name="exam_records"
    )
    kind = models.CharField(_("examination"), max_length=20, choices=ExamKind.choices)
    timing = models.CharField(_("timing"), max_length=4, choices=Timing.choices, blank=True)
    raw = models.JSONField(default=dict)
    derived = models.JSONField(default=dict)
    summary = models.CharField(max_length=300, blank=True)
    examiner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["patient", "kind", "-created_at"])]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"

    @property
    def summary_display(self) -> str:
        """The one-line result in the reader's language (``summary`` is the stored English)."""
        try:
            return display.summary(self.kind, self.raw or {}, self.derived or {}) or self.summary
        except (KeyError, TypeError, ValueError, AttributeError):
            # An old or hand-edited record: show what was stored rather than fail the page.
            return self.summary
