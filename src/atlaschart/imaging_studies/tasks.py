"""Background tasks of the imaging app (found by ``app.autodiscover_tasks()``)."""

from __future__ import annotations

from celery import shared_task

from atlaschart.imaging_studies import storage


@shared_task(name="atlaschart.imaging.sweep_staged_uploads")
def sweep_staged_uploads() -> dict[str, int]:
    """Remove staged DICOM uploads nobody confirmed within a token's lifetime (they hold patient
    names). Scheduled by ``CELERY_BEAT_SCHEDULE``; ``atlaschart imaging sweep-uploads`` does the
    same from a timer where no beat runs."""
    return {"removed": storage.sweep_staged()}
