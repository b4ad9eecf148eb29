"""The patient report (PDF): its figures against the chart's values, in Korean and English;
photos only with the patient's consent; who may make one; the export in the access log.

Expected figures are hand-computed from the fixture: NPRS 7 -> 3 is a change of 4 points, past
the NPRS MCID and MDC of 2 points (Ostelo et al. 2008); per region (same 2-point rule, Farrar et
al. 2001, Ostelo et al. 2008, measure.instruments.regions) neck 6 -> 2 is -4, better; right low
back 3 -> 3 is 0, unchanged; head 4 is new; the shoulder line from (150, 200) to
(250, 190) leans atan(10/100) = 5.71 degrees, and a level line 0 degrees, so the change is 5.7
degrees (posture.display.fmt rounds to 0.1).
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

from django.urls import reverse
from pypdf import PdfReader

# The chart and media fixtures are imported (a fixture works in the module that imports it); the
# tests take them as parameters of the same name.
# ruff: noqa: F811
from tests.web.report_chart import chart, media, nprs, pdf_text, squash  # noqa: F401

from atlaschart.audit.models import AccessLogEntry, Action
from atlaschart.jobs.models import Job
from atlaschart.lib.actor import Actor
from atlaschart.reports.models import PhotoConsent
from atlaschart.reports.services import make_patient_report, record_photo_consent


def report(personas: Any, user: Any = None, lang: str | None = None) -> bytes:
    return make_patient_report(
        Actor.system(user or personas.clinician, via="test"), personas.patient.pk, lang
    )


def test_korean_report_shows_the_charts_figures(chart) -> None:
    text = pdf_text(report(chart, lang="ko"))
    assert squash("서울 테스트 의원") in text
    assert squash("목이 뻐근하고 두통이 있어요") in text
    assert squash("목: 처음 통증 10점 중 6점") in text
    # NPRS 7 -> 3: difference -4 points, the core's verdict, the thresholds (MCID and MDC 2).
    assert "7" in text and "3" in text
    assert "-4" in text
    assert squash("MCID 2") in text and squash("MDC 2") in text
    # Shoulder tilt 5.7 degrees -> 0; the caution that a change is no proof of its cause.
    assert "5.7°" in text
    assert squash("2099-05-01") in text
    assert squash("어떤 치료 때문이라는 증거는 아닙니다") in text
    assert squash("사진을 보고서에 싣는 데 동의하지 않으셔서 사진은 빠졌습니다") in text


def test_per_region_pain_local_and_distant_apart(chart) -> None:
    text = pdf_text(report(chart, lang="en"))
    assert squash("Chief complaint: 1 of 1 region better beyond measurement error (Neck)") in text
    assert squash("Other regions: 0 of 1 region better beyond measurement error") in text
    assert squash("New at the latest form: Head or face.") in text
    # Region, kind, first, latest, difference, meaning.
    assert squash("Neck chief complaint 6 2 -4 better beyond measurement error") in text
    assert squash("Low back, right other region 3 3 +0 unchanged") in text
    assert squash("Sources: Farrar et al. 2001, Pain; Ostelo et al. 2008, Spine.") in text
    ko = pdf_text(report(chart, lang="ko"))
    assert squash("부위별 통증") in ko
    assert "62-4" in ko


def test_english_report_shows_the_same_figures(chart) -> None:
    text = pdf_text(report(chart, lang="en"))
    assert squash("Progress report") in text
    assert squash("First: 7 points") in text
    assert squash("Latest: 3 points") in text
    assert squash("Difference: -4 points") in text
    assert squash("MCID 2 points; MDC 2 points") in text
    assert "5.7°" in text
    assert squash("is not proof that any treatment caused it") in text
    assert squash("Photos are left out") in text
    assert "caused by" not in text.lower()


def test_report_uses_the_patients_language_by_default(chart) -> None:
    chart.patient.preferred_language = "en"
    chart.patient.save()
    assert squash("Progress report") in pdf_text(report(chart))


def test_photos_appear_only_with_consent(chart) -> None:
    without = report(chart, lang="en")
    reader = PdfReader(io.BytesIO(without))
    assert not any(page.images for page in reader.pages)
    record_photo_consent(Actor.system(chart.clinician, via="test"), chart.patient, True)
    with_consent = report(chart, lang="en")
    images = [img for page in PdfReader(io.BytesIO(with_consent)).pages for img in page.images]
    # Both sessions' photos are drawn; the fixture's two photos are the same JPEG, which fpdf2
    # embeds once and places twice.
    assert len(images) >= 1
    assert "Photosareleftout" not in pdf_text(with_consent)


def test_without_consent_the_photos_are_not_even_read(chart) -> None:
    from atlaschart.reports.services import gather

    actor = Actor.system(chart.clinician, via="test")
    assert gather(actor, chart.patient, "en").photos == []
    record_photo_consent(actor, chart.patient, True)
    assert len(gather(actor, chart.patient, "en").photos) == 1


def test_withdrawn_consent_leaves_photos_out(chart) -> None:
    client = chart.login(chart.clinician)
    url = reverse("reports:photo_consent", args=[chart.patient.pk])
    assert client.post(url, {"given": "yes"}).status_code == 302
    assert PhotoConsent.objects.get().in_force
    assert client.post(url, {"given": "no"}).status_code == 302
    assert not PhotoConsent.objects.get().in_force
    assert squash("Photos are left out") in pdf_text(report(chart, lang="en"))


def ask_for_report(client: Any, personas: Any, lang: str = "en") -> Any:
    return client.post(reverse("reports:patient", args=[personas.patient.pk]), {"lang": lang})


def test_web_report_is_made_by_a_job_and_downloaded_logged_as_an_export(chart) -> None:
    client = chart.login(chart.clinician)
    response = ask_for_report(client, chart)
    # The request submits a job (run at once here: no broker in tests) and shows its page,
    # which hands out the file once the job is done.
    job = Job.objects.get(kind="reports.patient_report")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.state == "done" and job.result_url == f"/reports/made/{job.pk}/report.pdf"
    page = client.get(response["Location"])
    assert page.status_code == 302 and page["Location"] == job.result_url
    download = client.get(job.result_url)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert f'filename="report-{chart.patient.pk}.pdf"' in download["Content-Disposition"]
    assert "no-store" in download["Cache-Control"]
    pdf = b"".join(download.streaming_content) if download.streaming else download.content
    assert squash("Difference: -4 points") in pdf_text(pdf)
    # Made (by the worker, as the clinician) and handed out: each an export of the record.
    exports = AccessLogEntry.objects.filter(action=Action.EXPORT, patient=chart.patient)
    assert sorted(exports.values_list("detail", flat=True)) == ["report", "report download"]
    assert set(exports.values_list("user", flat=True)) == {chart.clinician.pk}


def test_the_report_file_is_kept_privately_under_var(chart, media) -> None:
    client = chart.login(chart.clinician)
    ask_for_report(client, chart)
    job = Job.objects.get(kind="reports.patient_report")
    stored = media / job.result["file"]
    assert stored.is_file() and stored.read_bytes().startswith(b"%PDF-")
    assert stored.is_relative_to(media) and job.result["file"].startswith("reports/")


def test_the_same_report_asked_twice_is_one_job_and_one_file(chart, media) -> None:
    client = chart.login(chart.clinician)
    first = ask_for_report(client, chart)
    second = ask_for_report(client, chart)
    assert first["Location"] == second["Location"]
    assert Job.objects.filter(kind="reports.patient_report").count() == 1
    assert len(list((media / "reports").iterdir())) == 1
    assert AccessLogEntry.objects.filter(action=Action.EXPORT, detail="report").count() == 1
    # Another language is another report.
    ask_for_report(client, chart, lang="ko")
    assert Job.objects.filter(kind="reports.patient_report").count() == 2


def test_a_new_score_makes_a_new_report(chart) -> None:
    client = chart.login(chart.clinician)
    first = ask_for_report(client, chart)
    nprs(chart, 1, datetime(2025, 5, 1, 9, tzinfo=UTC))
    second = ask_for_report(client, chart)
    assert first["Location"] != second["Location"]
    newer = Job.objects.filter(kind="reports.patient_report").order_by("-id").first()
    assert newer is not None
    pdf = b"".join(client.get(newer.result_url).streaming_content)
    assert squash("Difference: -6 points") in pdf_text(pdf)


def test_front_desk_cannot_make_a_report(chart) -> None:
    client = chart.login(chart.desk)
    response = ask_for_report(client, chart)
    assert response.status_code == 403
    assert not Job.objects.exists()
    assert not AccessLogEntry.objects.filter(action=Action.EXPORT).exists()
    assert (
        client.post(
            reverse("reports:photo_consent", args=[chart.patient.pk]), {"given": "yes"}
        ).status_code
        == 403
    )
    assert not PhotoConsent.objects.exists()


def test_front_desk_cannot_download_a_made_report(chart) -> None:
    client = chart.login(chart.clinician)
    ask_for_report(client, chart)
    job = Job.objects.get()
    client = chart.login(chart.desk)
    assert client.get(job.result_url).status_code == 403
    assert client.get(f"/jobs/{job.pk}/").status_code == 403
    assert client.get(f"/jobs/{job.pk}/status").status_code == 403
    assert not AccessLogEntry.objects.filter(detail="report download").exists()


def test_every_role_that_may_export_the_report_may_read_what_it_shows() -> None:
    # The view checks posture export; the report also shows questionnaires and the care plan.
    from atlaschart.lib.policy import POLICY, Kind, Permission
    from atlaschart.reports.services import REPORT_NEEDS

    for role, kinds in POLICY.items():
        if Permission.EXPORT in kinds.get(Kind.POSTURE, frozenset()):
            for kind, permission in REPORT_NEEDS:
                assert permission in kinds.get(kind, frozenset()), (role, kind)


def test_other_clinic_gets_404_and_no_export(chart) -> None:
    client = chart.login(chart.outsider)
    response = ask_for_report(client, chart)
    assert response.status_code == 404
    assert not Job.objects.exists()
    assert not AccessLogEntry.objects.filter(action=Action.EXPORT).exists()


def test_other_clinic_cannot_download_our_report(chart) -> None:
    client = chart.login(chart.clinician)
    ask_for_report(client, chart)
    job = Job.objects.get()
    client = chart.login(chart.outsider)
    assert client.get(job.result_url).status_code == 404
    assert client.get(f"/jobs/{job.pk}/").status_code == 404
    assert AccessLogEntry.objects.filter(action=Action.EXPORT).count() == 1  # the making only


def test_asking_for_a_report_by_get_changes_nothing(chart) -> None:
    client = chart.login(chart.clinician)
    response = client.get(reverse("reports:patient", args=[chart.patient.pk]) + "?lang=en")
    assert response.status_code == 405
    assert not Job.objects.exists()


def test_bad_language_is_a_clear_400(chart) -> None:
    client = chart.login(chart.clinician)
    response = ask_for_report(client, chart, lang="fr")
    assert response.status_code == 400
    assert "ko or en" in response.content.decode()
    assert not Job.objects.exists()


def test_empty_chart_still_makes_a_report(personas) -> None:
    text = pdf_text(report(personas, lang="ko"))
    assert squash("서울 테스트 의원") in text


def test_chart_shows_the_button_to_clinicians_only(chart) -> None:
    client = chart.login(chart.clinician)
    page = client.get(reverse("patients:chart", args=[chart.patient.pk])).content.decode()
    assert reverse("reports:patient", args=[chart.patient.pk]) in page
    client = chart.login(chart.desk)
    page = client.get(reverse("patients:chart", args=[chart.patient.pk])).content.decode()
    assert reverse("reports:patient", args=[chart.patient.pk]) not in page
