"""A neuro exam with myotomes and dermatomes and a pre/post leg check, as a clinician enters them,
then read back on the detail pages in English and Korean.

Leg check numbers: 2/8 in = 2 × 3.175 mm = 6.35 mm; post even, so the change is 6.35 mm, above the
3.74 mm MDC (Cooperstein et al. 2003, compressive leg check, `[cooperstein-2003-compressive]`).
"""

from __future__ import annotations

import re

from django.utils import timezone
from playwright.sync_api import expect

from atlaschart.exams.models import ExamRecord
from atlaschart.visits.models import Visit
from tests.browser.conftest import screenshot


def sign_in(page, live_server, personas) -> None:
    page.goto(live_server.url + "/")
    page.get_by_label("Username").fill("clinician")
    page.get_by_label("Password").fill(personas.password)
    page.get_by_role("button", name="Sign in").last.click()


def test_a_neuro_exam_and_a_leg_check_read_back_in_english_and_korean(
    live_server, page, personas
) -> None:
    visit = Visit.objects.create(
        patient=personas.patient, clinician=personas.clinician, visit_date=timezone.localdate()
    )
    sign_in(page, live_server, personas)

    # Neuro exam from the chart. A NINDS grade of 5 is refused (the scale ends at 4).
    page.goto(f"{live_server.url}/patients/{personas.patient.pk}/")
    page.get_by_role("link", name="+ Neurological examination").click()
    page.get_by_label("Reflex scale").select_option("ninds_0_4")
    page.get_by_label("Biceps (C5–6), patient's left").fill("5")
    page.get_by_label("Biceps (C5–6), patient's right").fill("2")
    page.get_by_label("Hoffmann, patient's right").select_option("negative")
    page.get_by_label("Hoffmann, patient's left").select_option("negative")
    page.locator("summary", has_text="Myotomes").click()
    page.get_by_label("C5 — elbow flexors, patient's left").select_option("4")
    page.get_by_label("C5 — elbow flexors, patient's right").select_option("5")
    page.locator("summary", has_text="Dermatomes").click()
    page.get_by_label("Sensation tested with").select_option("pinprick")
    page.get_by_label("C6, patient's right", exact=True).select_option("reduced")
    page.get_by_role("button", name="Save examination").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Nothing was saved")
    expect(alert).to_contain_text("grade 5 is not on the NINDS 0–4 scale")
    # The entries made so far are still there, the myotome grid open.
    expect(page.get_by_label("C5 — elbow flexors, patient's left")).to_have_value("4")
    screenshot(page, "exam-neuro-error-en")
    assert not ExamRecord.objects.filter(kind="neuro").exists()

    page.get_by_label("Biceps (C5–6), patient's left").fill("2")
    page.get_by_role("button", name="Save examination").click()
    expect(page.get_by_text("The examination was saved.")).to_be_visible()
    page.get_by_role("link", name="Neurological examination", exact=True).click()
    body = page.locator(".exam-detail")
    expect(body).to_contain_text("NINDS Myotatic Reflex Scale, 0–4")
    expect(body).to_contain_text("MRC muscle strength scale, 0–5")
    expect(page.get_by_role("row", name=re.compile("C5 — elbow flexors"))).to_contain_text("4/5")
    expect(page.get_by_role("row", name=re.compile(r"^C6\b"))).to_contain_text("Reduced")
    expect(body).not_to_contain_text("myotome_")
    screenshot(page, "exam-neuro-detail-en")

    # Leg checks in the visit: right short 2/8 in before, even after.
    page.goto(f"{live_server.url}/visits/{visit.pk}/")
    page.get_by_role("link", name="Pre-check leg length").click()
    page.locator("#id_check_type").select_option("supine")
    page.locator("#id_short_side").select_option("right")
    page.locator("#id_magnitude").fill("2")
    page.locator("#id_unit").select_option("eighth_inch")
    page.get_by_role("button", name="Save examination").click()
    page.get_by_role("link", name="Post-check leg length").click()
    screenshot(page, "exam-leg-form-en")
    page.locator("#id_check_type").select_option("supine")
    page.locator("#id_short_side").select_option("even")
    page.locator("#id_magnitude").fill("0")
    page.get_by_role("button", name="Save examination").click()
    summaries = page.locator(".exam-summary")
    expect(summaries.first).to_contain_text("Supine: right leg short by 2/8 in (6.35 mm)")
    expect(summaries.nth(1)).to_contain_text(
        "Supine: legs even; difference reduced: change from the pre-check 6.35 mm, beyond "
        "measurement error (MDC 3.74 mm)"
    )
    screenshot(page, "exam-leg-visit-en")

    # The same records in Korean.
    page.get_by_role("button", name="한국어").click()
    summaries = page.locator(".exam-summary")
    expect(summaries.first).to_contain_text("바로 누운 자세: 오른쪽 다리가 2/8인치(6.35 mm) 짧음")
    expect(summaries.nth(1)).to_contain_text("다리 길이 같음")
    expect(summaries.nth(1)).to_contain_text("측정 오차(MDC 3.74 mm)를 넘음")
    screenshot(page, "exam-leg-visit-ko")
    post = ExamRecord.objects.get(kind="leg_check", timing="post")
    page.goto(f"{live_server.url}/exams/{post.pk}/")
    expect(page.locator(".exam-detail")).to_contain_text("교정 전 검사 대비 변화")
    screenshot(page, "exam-leg-detail-ko")
    neuro = ExamRecord.objects.get(kind="neuro")
    page.goto(f"{live_server.url}/exams/{neuro.pk}/")
    expect(page.get_by_role("row", name=re.compile("C5 — 팔꿈치 굽힘근"))).to_contain_text("4/5")
    expect(page.locator(".exam-detail")).to_contain_text("환자 왼쪽")
    screenshot(page, "exam-neuro-detail-ko")
    page.goto(f"{live_server.url}/exams/patient/{personas.patient.pk}/neuro/")
    page.locator("summary", has_text="근분절").click()
    screenshot(page, "exam-neuro-form-ko")
