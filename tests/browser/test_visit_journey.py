"""A whole visit as a new clinician does it: today's list -> open the appointment -> pre-check leg
length -> record and sign an adjustment -> post-check -> sign the note -> amend it and see both."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from playwright.sync_api import expect

from atlaschart.visits.models import Appointment
from tests.browser.conftest import screenshot
from tests.factories.care import screen_record


def test_a_clinicians_whole_visit(live_server, page, personas) -> None:
    now = timezone.localtime()
    start = datetime(now.year, now.month, now.day, 9, 0, tzinfo=timezone.get_current_timezone())
    Appointment.objects.create(
        clinic=personas.seoul,
        patient=personas.patient,
        clinician=personas.clinician,
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
    )
    # The pre-treatment screen, every item answered "no" (docs/safety.md -> none-found).
    screen_record(personas.clinician, personas.patient)

    page.goto(live_server.url + "/")
    page.get_by_label("Username").fill("clinician")
    page.get_by_label("Password").fill(personas.password)
    page.get_by_role("button", name="Sign in").last.click()
    expect(page.get_by_role("heading", name=re.compile("My appointments today"))).to_be_visible()
    screenshot(page, "visit-today")
    page.get_by_role("link", name="Open").click()
    page.get_by_role("button", name="Start the visit note").click()

    # Pre-check: right leg short by 2/8 inch (= 6.35 mm).
    page.get_by_role("link", name="Pre-check leg length").click()
    page.locator("#id_check_type").select_option("supine")
    page.locator("#id_short_side").select_option("right")
    page.locator("#id_magnitude").fill("2")
    page.locator("#id_unit").select_option("eighth_inch")
    page.get_by_role("button", name="Save examination").click()
    expect(page.locator(".exam-summary").first).to_contain_text(
        "right leg short by 2/8 in (6.35 mm)"
    )

    # Adjustment: NUCCA with a vector setting, then sign it.
    page.locator("#id_kind").select_option("uc_adjustment")
    page.locator("#id_technique").select_option("nucca")
    page.locator("#id_listing").fill("ASRp")
    page.locator("#id_contact_side").select_option("left")
    # Only NUCCA's own fields show once it is chosen; the vector is typed in degrees.
    expect(page.locator("#id_nucca__lateral_vector_deg")).to_be_visible()
    expect(page.locator("#id_blair__contact_angle_deg")).to_be_hidden()
    page.locator("#id_nucca__lateral_vector_deg").fill("12")
    page.get_by_role("button", name="Save treatment").click()
    page.get_by_role("button", name="Sign treatment").click()
    expect(page.get_by_text(re.compile("Signed by clinician"))).to_be_visible()

    # Post-check: even. Change 0 - 6.35 = -6.35 mm, beyond the 3.74 mm MDC (Cooperstein) -> reduced.
    page.get_by_role("link", name="Post-check leg length").click()
    page.locator("#id_check_type").select_option("supine")
    page.locator("#id_short_side").select_option("even")
    page.locator("#id_magnitude").fill("0")
    page.get_by_role("button", name="Save examination").click()
    expect(page.locator(".exam-summary").nth(1)).to_contain_text(
        "difference reduced: change from the pre-check 6.35 mm, beyond measurement error"
    )

    page.locator("#id_subjective").fill("Neck pain 6/10 since Monday.")
    page.locator("#id_assessment").fill("Atlas listing ASRp.")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_role("button", name="Sign the note").click()
    expect(page.get_by_text(re.compile("Changes are made as amendments"))).to_be_visible()
    screenshot(page, "visit-signed")

    page.get_by_role("link", name="Amend").click()
    page.locator("#id_subjective").fill("Neck pain 6/10 since Sunday.")
    page.locator("#id_reason").fill("Patient corrected the onset day")
    page.get_by_role("button", name="Save amendment").click()
    expect(page.get_by_text("Neck pain 6/10 since Monday.")).to_be_visible()
    expect(page.get_by_text("Neck pain 6/10 since Sunday.")).to_be_visible()
    expect(page.locator(".amendments")).to_contain_text("clinician changed: subjective")
    screenshot(page, "visit-amended")


def _phone(chromium, live_server, personas, user, width: int = 390) -> Any:
    """A phone-sized (or ``width``) page in Korean, signed in as ``user`` (session cookie from
    the test client, so the sign-in form is not what this test is about)."""
    from django.conf import settings

    client = personas.login(user, "ko")
    phone_sized = width < 700
    context = chromium.new_context(
        viewport={"width": width, "height": 844 if phone_sized else 900},
        locale="ko-KR",
        is_mobile=phone_sized,
        has_touch=phone_sized,
    )
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    phone = context.new_page()
    phone.set_default_timeout(15_000)
    return phone


def test_front_desk_schedule_and_a_refused_amendment_on_a_phone_in_korean(
    live_server, chromium, personas
) -> None:
    from atlaschart.lib.actor import Actor
    from atlaschart.visits import services
    from atlaschart.visits.models import ConsultationRequest, Visit

    now = timezone.localtime()
    start = datetime(now.year, now.month, now.day, 10, 0, tzinfo=timezone.get_current_timezone())
    Appointment.objects.create(
        clinic=personas.seoul,
        patient=personas.patient,
        clinician=personas.clinician,
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
    )
    ConsultationRequest.objects.create(
        clinic=personas.seoul,
        name="이지은",
        contact="010-5555-1234",
        preferred_time="평일 오전",
        complaint="고개를 돌리면 목이 아파요.",
    )

    # Front desk: the week calendar and the requests, in Korean, nothing wider than the phone.
    desk = _phone(chromium, live_server, personas, personas.desk)
    desk.goto(f"{live_server.url}/schedule/?view=week&clinician={personas.clinician.pk}")
    expect(desk.get_by_role("heading", name="일정표")).to_be_visible()
    expect(desk.locator(".calendar")).to_contain_text(personas.patient.name)
    assert desk.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(desk, "visit-desk-calendar-week-phone-ko")
    desk.goto(f"{live_server.url}/schedule/?date=9999-12-31")
    expect(
        desk.get_by_text(re.compile("사이의 날짜가 아니어서 오늘 일정을 보여 드립니다"))
    ).to_be_visible()
    desk.goto(f"{live_server.url}/schedule/requests/")
    expect(desk.get_by_text("이지은")).to_be_visible()
    assert desk.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(desk, "visit-desk-requests-phone-ko")
    # The chart: appointments yes; no visit notes, care plans or consent links.
    desk.goto(f"{live_server.url}/patients/{personas.patient.pk}/")
    expect(desk.locator("#section-appointments")).to_be_visible()
    assert desk.locator("#section-visits").count() == 0
    assert desk.locator('a[href^="/visits/"]').count() == 0
    screenshot(desk, "visit-desk-chart-phone-ko")
    desk.context.close()

    # A clinician amends a signed note on a phone while the admin amends it at the desk.
    visit = Visit.objects.create(
        patient=personas.patient,
        clinician=personas.clinician,
        visit_date=timezone.localdate(),
        subjective="월요일부터 목 통증 6/10.",
        signed_at=timezone.now(),
        signed_by=personas.clinician,
    )
    phone = _phone(chromium, live_server, personas, personas.clinician)
    phone.goto(f"{live_server.url}/visits/{visit.pk}/amend/")
    phone.locator("#id_subjective").fill("일요일부터 목 통증 6/10.")
    phone.locator("#id_reason").fill("환자가 시작한 요일을 바로잡음")
    services.amend_note(
        Actor.system(personas.admin, via="test"),
        visit,
        {"subjective": "토요일부터 목 통증 7/10.", "objective": "", "assessment": "", "plan": ""},
        "관리자 수정",
        0,
    )
    phone.get_by_role("button", name="수정 저장").click()
    conflict = phone.locator("#conflict")
    expect(conflict).to_contain_text("일요일부터 목 통증 6/10.")
    expect(conflict).to_contain_text("토요일부터 목 통증 7/10.")
    expect(phone.get_by_text(re.compile("아무것도 저장되지 않았습니다"))).to_be_visible()
    # The author's words are still in the form, ready to save after comparing.
    assert phone.locator("#id_subjective").input_value() == "일요일부터 목 통증 6/10."
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "visit-amend-conflict-phone-ko")
    phone.get_by_role("button", name="수정 저장").click()
    expect(phone.locator(".amendments li")).to_have_count(2)
    phone.context.close()


def test_records_today_and_calendar_in_korean_at_desktop_and_phone_width(
    live_server, chromium, personas
) -> None:
    """The visit page with a structured NUCCA record and an injection, the treatment form, front
    desk's today page (every clinician, arrivals, follow-ups due) and the calendar, in Korean."""
    from datetime import date
    from datetime import time as clock

    from atlaschart.accounts.models import Role, User
    from atlaschart.lib.actor import Actor
    from atlaschart.patients.models import Patient
    from atlaschart.visits import services
    from atlaschart.visits.models import CarePlan, ConsentRecord, Visit

    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    park = User.objects.create(
        username="park", first_name="박서준", clinic=personas.seoul, role=Role.CLINICIAN
    )
    lee = Patient.objects.create(
        clinic=personas.seoul, chart_number="000002", name="이서연", date_of_birth=date(1990, 5, 1)
    )
    choi = Patient.objects.create(
        clinic=personas.seoul, chart_number="000003", name="최지훈", date_of_birth=date(1978, 1, 9)
    )
    first = Appointment.objects.create(
        clinic=personas.seoul,
        patient=personas.patient,
        clinician=personas.clinician,
        starts_at=datetime(today.year, today.month, today.day, 9, 0, tzinfo=tz),
        ends_at=datetime(today.year, today.month, today.day, 9, 20, tzinfo=tz),
    )
    Appointment.objects.create(
        clinic=personas.seoul,
        patient=lee,
        clinician=park,
        kind="consultation",
        status="arrived",
        arrived_at=timezone.now(),
        starts_at=datetime(today.year, today.month, today.day, 11, 0, tzinfo=tz),
        ends_at=datetime(today.year, today.month, today.day, 12, 0, tzinfo=tz),
    )
    jung = Patient.objects.create(
        clinic=personas.seoul, chart_number="000004", name="정하늘", date_of_birth=date(2001, 7, 3)
    )
    Appointment.objects.create(
        clinic=personas.seoul,
        patient=jung,
        clinician=park,
        kind="injection",
        starts_at=datetime(today.year, today.month, today.day, 14, 0, tzinfo=tz),
        ends_at=datetime(today.year, today.month, today.day, 14, 30, tzinfo=tz),
    )
    CarePlan.objects.create(
        patient=choi,
        start_date=today - timedelta(days=10),
        interval_days=7,
        planned_visits=6,
        created_by=personas.clinician,
    )
    actor = Actor.system(personas.clinician, via="test")
    visit = services.open_visit(actor, first)
    consent = ConsentRecord.objects.create(
        patient=personas.patient,
        kind="injection",
        given_on=today,
        recorded_by=personas.clinician,
    )
    services.add_treatment(
        actor,
        visit,
        {
            "kind": "uc_adjustment",
            "technique": "nucca",
            "listing": "R-AS",
            "contact_side": "right",
            "technique_settings": {
                "lateral_vector_deg": 2.5,
                "rotation_vector_deg": 1.25,
                "rotation_direction": "anterior",
                "head_tilt_correction_deg": 0.75,
                "head_tilt_side": "left",
            },
            "description": "앙와위 다리 길이 검사에서 오른쪽 다리가 6 mm 짧았고 교정 후 같아짐. "
            * 8
            + "가" * 400,
        },
    )
    services.add_treatment(
        actor,
        visit,
        {
            "kind": "injection",
            "drug": "리도카인 1%",
            "concentration_mg_per_ml": 10,
            "dose_mg": 20,
            "volume_ml": 2,
            "site": "오른쪽 C5-6 후관절",
            "contact_side": "right",
            "guidance": "ultrasound",
            "lot_number": "LD2417",
            "expiry_date": today + timedelta(days=300),
            "given_at": clock(10, 40),
            "consent": consent,
            "physician": "박서준",
        },
    )
    assert Visit.objects.count() == 1

    for width, suffix in ((1280, "desktop"), (390, "phone")):
        desk = _phone(chromium, live_server, personas, personas.desk, width)
        desk.goto(f"{live_server.url}/schedule/today/")
        expect(desk.get_by_role("heading", name=re.compile("오늘의 예약"))).to_be_visible()
        expect(desk.locator("table").first).to_contain_text("박서준")
        expect(desk.locator("#arrivals")).to_contain_text("이서연")
        expect(desk.locator("#due")).to_contain_text("최지훈")
        expect(desk.get_by_role("button", name="도착 확인")).to_be_visible()
        assert desk.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(desk, f"visits-today-desk-{suffix}-ko")
        desk.goto(f"{live_server.url}/schedule/")
        expect(desk.locator(".calendar-people h2")).to_have_count(2)
        assert desk.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(desk, f"visits-calendar-{suffix}-ko")
        desk.context.close()

        doctor = _phone(chromium, live_server, personas, personas.clinician, width)
        doctor.goto(f"{live_server.url}/visits/{visit.pk}/")
        records = doctor.locator(".treatment-record")
        expect(records.first).to_contain_text("측방 벡터 (°)")
        expect(records.first).to_contain_text("2.5°")
        expect(records.nth(1)).to_contain_text("LD2417")
        expect(records.nth(1)).to_contain_text("10 mg/mL")
        assert "lateral_vector_deg" not in records.first.inner_text()
        doctor.locator("#treatments summary").click()
        doctor.locator("#id_technique").select_option("atlas_orthogonal")
        expect(doctor.locator("#id_atlas_orthogonal__stylus_depth_mm")).to_be_visible()
        expect(doctor.locator("#id_nucca__lateral_vector_deg")).to_be_hidden()
        assert doctor.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(doctor, f"visits-visit-{suffix}-ko")
        doctor.locator("#id_kind").select_option("injection")
        expect(doctor.locator("#id_lot_number")).to_be_visible()
        doctor.locator("#treatments").screenshot(
            path=str(_shots() / f"visits-injection-form-{suffix}-ko.png")
        )
        doctor.context.close()


def _shots() -> Any:
    from tests.browser.conftest import SCREENSHOT_DIR

    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR
