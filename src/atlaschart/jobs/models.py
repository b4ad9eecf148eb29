"""A job: one piece of background work a person waits on, and how far it has got.

The payload holds references to what the request already stored (file names in storage, ids),
never the data itself. One live job per (clinic, kind, input hash): the same input submitted
again gets the job that exists, unless that one failed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from atlaschart.jobs.registry import Handler


class JobState(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Job(models.Model):
    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.CASCADE, related_name="+")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # A registered handler's name (``registry.job_handler``), e.g. "posture.analyse_shot".
    kind = models.CharField(max_length=80)
    # SHA-256 (hex) of everything the result depends on: the idempotency key.
    input_sha256 = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    # A step code the handler declared; its words come from the handler's ``steps``.
    step = models.CharField(max_length=40, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    result_url = models.CharField(max_length=300, blank=True)
    result = models.JSONField(default=dict, blank=True)
    # An error code the handler declared (or "unexpected"), and the values its message names.
    error_code = models.CharField(max_length=60, blank=True)
    error_params = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        constraints = [
            # A failed job does not count: submitting the same input again starts afresh.
            models.UniqueConstraint(
                fields=["clinic", "kind", "input_sha256"],
                condition=~Q(state="failed"),
                name="jobs_one_live_job_per_input",
            ),
        ]
        indexes = [models.Index(fields=["state", "started_at"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.state})"

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)

    @property
    def percent(self) -> int:
        """How far the job is, 0–100 (100 once done; steps without a count give no fraction)."""
        if self.state == JobState.DONE:
            return 100
        if self.total <= 0:
            return 0
        return max(0, min(99, round(100 * self.done / self.total)))

    # Words for people, in the active language (the handler declares them; see registry.py).
    def _handler(self) -> Handler:
        from atlaschart.jobs.registry import get_handler, unknown_handler

        return get_handler(self.kind) or unknown_handler(self.kind)

    @property
    def message(self) -> str:
        """What the job is doing now, or has done."""
        from django.utils.translation import gettext

        if self.state == JobState.FAILED:
            return gettext("The work could not be finished.")
        if self.state == JobState.DONE:
            return gettext("Done.")
        if self.state == JobState.QUEUED:
            return gettext("Waiting to start…")
        return self._handler().step_words(self.step, self.done, self.total)

    @property
    def error_message(self) -> str:
        if self.state != JobState.FAILED:
            return ""
        return self._handler().error_words(self.error_code, dict(self.error_params or {}))

    @property
    def title(self) -> str:
        """The kind of work, in words (the handler's ``title``)."""
        return self._handler().title_words()
