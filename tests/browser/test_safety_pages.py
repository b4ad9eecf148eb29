"""The safety page, the chart banner and a visit's signing gate, read in Korean at desktop and
phone width (screenshots in var/screenshots: safety-*.png)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from atlaschart.lib.actor import Actor
from atlaschart.measure.safety import SCREENING_ITEMS
from atlaschart.safety import services
from atlaschart.safety.models import Source
from atlaschart.visits.models import Appointment, Treatment, Visit
from tests.browser.conftest import screenshot

ALL_NO: dict[str, object] = {item: False for item in SCREENING_ITEMS} | {"T1": "na", "T2": "na"}


def _visit(personas) -> Visit:
    now = timezone.localtime()
    start = datetime(now.year, now.month, now.day, 9, tzinfo=timezone.get_current_timezone())
    appointment = Appointment.objects.create(
        clinic=personas.seoul,
        patient=personas.patient,
        clinician=personas.clinician,
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
    )
    return Visit.objects.create(
        patient=personas.patient,
        appointment=appointment,
        clinician=personas.clinician,
        visit_date=timezone.localdate(),
    )


def test_safety_pages_in_korean(live_server, page, personas) -> None:
    personas.clinician.language = "ko"
    personas.clinician.save(update_fields=["language"])
    actor = Actor(user=personas.clinician, client_ip="10.0.0.9")
    # The patient's intake says dizziness now (E); the clinician's interview places it weeks ago.
    services.record_screen(actor, personas.patient, {**ALL_NO, "V1": "current"}, Source.INTAKE)
    services.rescreen_with_entries(
        actor,
        personas.patient,
        {"V1": "recent", "X5": True, "bp_systolic_mmhg": 186.0, "bp_diastolic_mmhg": 96.0},
        "면담: 어지럼증은 3주 전 한 번, 현재 증상 없음",
    )
    record = services.latest_screen(personas.patient)
    services.acknowledge(actor, record, "V1", "override", "신경과 진료 결과 정상, 소견서 확인")
    services.acknowledge(actor, record, "X5", "acknowledge", "")
    services.acknowledge(actor, record, "V7", "acknowledge", "재측정 예정, 오늘은 저강도만")
    visit = _visit(personas)
    Treatment.objects.create(visit=visit, kind="uc_adjustment", technique="hio_toggle")

    page.goto(live_server.url + "/")
    page.locator('input[name="username"]').fill("clinician")
    page.locator('input[name="password"]').fill(personas.password)
    page.locator("button.primary.wide").last.click()
    for width, name in ((1180, "desktop"), (360, "phone")):
        page.set_viewport_size({"width": width, "height": 820})
        page.goto(live_server.url + reverse("safety:patient", args=[personas.patient.pk]))
        expect(page.locator(".safety-banner").first).to_contain_text("저강도 상부경추 교정")
        expect(page.locator(".safety-banner").first).to_contain_text("임상가 면담으로 재평가")
        screenshot(page, f"safety-page-ko-{name}")
        page.goto(live_server.url + reverse("patients:chart", args=[personas.patient.pk]))
        expect(page.locator(".safety-banner").first).to_contain_text("추력(고속) 교정")
        screenshot(page, f"safety-chart-ko-{name}")
        page.goto(live_server.url + reverse("visits:visit", args=[visit.pk]))
        expect(page.get_by_text("추력 금지(H)").first).to_be_visible()
        screenshot(page, f"safety-visit-gate-ko-{name}")
        # Nothing wider than the screen.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, (name, overflow)
