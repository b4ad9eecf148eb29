"""The chart's whole-record export: clinicians and clinic admins only, a reason, a background job,
the archive handed out once per download and each download logged with the reason; front desk
and other clinics refused."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from atlaschart.audit.models import AccessLogEntry, Action
from atlaschart.jobs.models import Job

REASON = "환자 본인이 기록 사본을 요청함"
#: For users refused the form page: a key of the right shape, so the refusal is the door's.
A_WELL_FORMED_KEY = "k" * 24


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def _form_key(client: Client, patient_id: int) -> str:
    """The request key the form page carries (a new one on each visit)."""
    page = client.get(reverse("fhir_export:download", args=[patient_id])).content.decode()
    found = re.search(r'name="request_key" value="([^"]+)"', page)
    assert found, "the form page carries its request key"
    return found.group(1)


def _ask(client: Client, patient_id: int, reason: str = REASON, key: str | None = None) -> Any:
    key = key if key is not None else _form_key(client, patient_id)
    return client.post(
        reverse("fhir_export:download", args=[patient_id]), {"reason": reason, "request_key": key}
    )


def _zip(response: Any) -> zipfile.ZipFile:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return zipfile.ZipFile(io.BytesIO(data))


@pytest.mark.parametrize("role", ["clinician", "admin"])
def test_the_export_is_a_job_and_each_download_is_logged_with_the_reason(
    personas: Any, role: str
) -> None:
    user = getattr(personas, role)
    client = personas.login(user)
    response = _ask(client, personas.patient.pk)
    job = Job.objects.get(kind="fhir.export_record")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.state == "done" and job.result_url == f"/fhir-export/made/{job.pk}/record.zip"
    # Nothing has left the clinic yet: no export row until the archive is downloaded.
    assert not AccessLogEntry.objects.filter(
        action=Action.EXPORT, detail__startswith="FHIR export"
    ).exists()
    download = client.get(job.result_url)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert f'filename="fhir-record-{personas.patient.pk}.zip"' in download["Content-Disposition"]
    archive = _zip(download)
    bundle = json.loads(archive.read("bundle.json"))
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    patient = next(
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
    )
    assert patient["identifier"][0]["value"] == personas.patient.chart_number
    row = AccessLogEntry.objects.get(action=Action.EXPORT, detail__startswith="FHIR export")
    assert row.patient_id == personas.patient.pk and row.user_id == user.pk
    assert row.detail == f"FHIR export (web); reason: {REASON}"
    client.get(job.result_url)
    assert (
        AccessLogEntry.objects.filter(
            action=Action.EXPORT, detail__startswith="FHIR export"
        ).count()
        == 2
    )


def test_a_reason_is_required(personas: Any) -> None:
    client = personas.login(personas.clinician)
    client.cookies["django_language"] = "ko"
    response = client.post(
        reverse("fhir_export:download", args=[personas.patient.pk]),
        {"reason": "  ", "request_key": _form_key(client, personas.patient.pk)},
        HTTP_ACCEPT_LANGUAGE="ko",
    )
    assert response.status_code == 400
    assert "필수 항목입니다" in response.content.decode()
    assert not Job.objects.exists()
    assert not AccessLogEntry.objects.filter(
        action=Action.EXPORT, detail__startswith="FHIR export"
    ).exists()


def test_the_form_page_in_korean(personas: Any) -> None:
    client = personas.login(personas.clinician, "ko")
    page = client.get(reverse("fhir_export:download", args=[personas.patient.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "FHIR" in text and "김민준" in text and "사유" in text


def test_front_desk_is_refused_and_sees_no_button(personas: Any) -> None:
    client = personas.login(personas.desk)
    url = reverse("fhir_export:download", args=[personas.patient.pk])
    assert client.get(url).status_code == 403
    assert _ask(client, personas.patient.pk, key=A_WELL_FORMED_KEY).status_code == 403
    assert not Job.objects.exists()
    chart = client.get(reverse("patients:chart", args=[personas.patient.pk])).content.decode()
    assert url not in chart
    for user in (personas.clinician, personas.admin):
        page = personas.login(user).get(reverse("patients:chart", args=[personas.patient.pk]))
        assert url in page.content.decode()


def test_another_clinics_patient_and_job_are_not_found(personas: Any) -> None:
    outsider = personas.login(personas.outsider)
    assert _ask(outsider, personas.patient.pk, key=A_WELL_FORMED_KEY).status_code == 404
    assert not Job.objects.exists()
    # A job of Seoul is not Busan's to download.
    _ask(personas.login(personas.clinician), personas.patient.pk)
    job = Job.objects.get(kind="fhir.export_record")
    assert outsider.get(job.result_url).status_code == 404
    assert not AccessLogEntry.objects.filter(
        action=Action.EXPORT, detail__startswith="FHIR export"
    ).exists()
    assert AccessLogEntry.objects.filter(action=Action.DENIED, user=personas.outsider).exists()


def test_a_double_click_is_one_job(personas: Any) -> None:
    """The same form page submitted twice is one job, however far apart the clicks are (the
    key came with the page, not from the clock)."""
    client = personas.login(personas.clinician)
    key = _form_key(client, personas.patient.pk)
    first = _ask(client, personas.patient.pk, key=key)
    second = _ask(client, personas.patient.pk, key=key)
    assert first["Location"] == second["Location"]
    assert Job.objects.filter(kind="fhir.export_record").count() == 1


def test_a_new_visit_to_the_form_is_a_new_export(personas: Any) -> None:
    client = personas.login(personas.clinician)
    _ask(client, personas.patient.pk)
    _ask(client, personas.patient.pk)
    assert Job.objects.filter(kind="fhir.export_record").count() == 2


def test_a_form_without_its_key_is_asked_again_keeping_the_reason(personas: Any) -> None:
    client = personas.login(personas.clinician)
    client.cookies["django_language"] = "ko"
    response = _ask(client, personas.patient.pk, key="")
    assert response.status_code == 400
    text = response.content.decode()
    assert REASON in text  # what was typed is not lost
    assert "This form has expired" in text  # said where the reader looks, not on a hidden field
    assert re.search(r'name="request_key" value="[A-Za-z0-9_-]{16,}"', text)
    assert not Job.objects.exists()
