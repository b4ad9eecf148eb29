"""The imaging app's periodic clean-up: staged uploads nobody confirmed, complete upload sets
nobody imported, packed de-identified exports older than a day. Run by the Celery beat task
``atlaschart.imaging.sweep_staged_uploads`` and by ``atlaschart imaging sweep-uploads``."""

from __future__ import annotations

from atlaschart.imaging_studies import jobs, storage, uploads


def sweep(max_age_s: int = storage.TOKEN_MAX_AGE_S) -> dict[str, int]:
    """``removed``: upload sets removed (staged on this node, published in the media storage);
    ``exports_expired``: export jobs whose zip was removed and that were marked expired."""
    removed = storage.sweep_staged(max_age_s) + uploads.sweep_published(max_age_s)
    return {"removed": removed, "exports_expired": jobs.expire_exports()}
