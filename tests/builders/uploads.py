"""Upload steps as a browser takes them through the test client: the imaging form post, the
resumable chunked protocol (open, PATCH, finish), a posture photo, and JSON posts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse


def post_json(c: Client, url: str, body: Any) -> Any:
    return c.post(url, json.dumps(body), content_type="application/json")


def stored_files(media: Path) -> list[Path]:
    """Every file under the media folder (none when it was never made)."""
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


# --- the imaging import form -------------------------------------------------------------------


def upload(client: Client, patient: Any, *files: tuple[str, bytes]) -> Any:
    """Post the plain form (no JavaScript) and follow to where the import job leads: the
    confirmation page, the study, or the job's page with its refusal. Jobs run eagerly here."""
    return client.post(
        reverse("imaging_studies:import", args=[patient.pk]),
        {"files": [SimpleUploadedFile(n, d) for n, d in files]},
        follow=True,
    )


def confirm(client: Client, patient: Any, response: Any) -> Any:
    """Confirm the identity step ``response`` (from ``upload``) shows."""
    key = response.context["upload_key"]
    return client.post(
        reverse("imaging_studies:confirm_upload", args=[patient.pk, key]),
        {"confirm": "1"},
        follow=True,
    )


# --- the chunked (resumable) upload ------------------------------------------------------------


def open_set(c: Client, patient: Any, files: list[tuple[str, int]]) -> Any:
    """Open an upload set of ``(name, size)`` files; the server's answer (URLs, offsets)."""
    r = c.post(
        reverse("imaging_studies:upload_open", args=[patient.pk]),
        json.dumps({"files": [{"name": n, "size": s} for n, s in files]}),
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    return r.json()


def patch(c: Client, url: str, offset: int, body: bytes, *, length: int | None = None) -> Any:
    return c.generic(
        "PATCH",
        url,
        body,
        content_type="application/offset+octet-stream",
        HTTP_UPLOAD_OFFSET=str(offset),
        CONTENT_LENGTH=str(len(body) if length is None else length),
    )


def send(c: Client, url: str, data: bytes, chunk: int, start: int = 0) -> None:
    """PATCH ``data`` from ``start`` in ``chunk``-byte pieces, each where the server says."""
    offset = start
    while offset < len(data):
        r = patch(c, url, offset, data[offset : offset + chunk])
        assert r.status_code == 204, r.content
        offset = int(r["Upload-Offset"])


def finish(c: Client, upload: dict[str, Any]) -> Any:
    """Finish the set and follow its import job's page to where it leads."""
    r = c.post(upload["finish_url"])
    assert r.status_code == 200, r.content
    return c.get(r.json()["job_url"], follow=True)


# --- posture -----------------------------------------------------------------------------------


def upload_photo(
    client: Client, session: Any, data: bytes, name: str = "p.jpg", view: str = "anterior"
) -> Any:
    """Post a photo to a posture session's page (the job that analyses it runs eagerly)."""
    return client.post(
        f"/posture/session/{session.pk}/",
        {"view": view, "photo": SimpleUploadedFile(name, data, content_type="image/jpeg")},
    )
