"""Background tasks of the imaging app (found by ``app.autodiscover_tasks()``)."""

from __future__ import annotations

from celery import shared_task

from atlaschart.imaging_studies import sweeps


@shared_task(name="atlaschart.imaging.sweep_staged_uploads")
def sweep_staged_uploads() -> dict[str, int]:
    """Remove staged DICOM uploads nobody confirmed within a token's lifetime (they hold patient
    names), complete upload sets nobody imported, and de-identified exports packed more than a
    day ago (``sweeps.sweep``). Scheduled by ``CELERY_BEAT_SCHEDULE``; ``atlaschart imaging
    sweep-uploads`` does the same from a timer where no beat runs."""
    return sweeps.sweep()
