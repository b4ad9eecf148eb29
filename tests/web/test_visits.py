"""Visits: safety gate on signing, signed notes locked + amendments, optimistic locking, double
booking, public form throttling, clinic isolation and the access log."""

from __future__ import annotations

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from tests.factories import care
from tests.factories.care import at
from tests.factories.exams import exam

from atlaschart.audit.models import AccessLogEntry
from atlaschart.visits.models import Amendment, Appointment, ConsultationRequest, Treatment


def add_treatment(client, visit, technique="hio_toggle", kind="uc_adjustment"):
    response = client.post(
        reverse("visits:treatment_add", args=[visit.pk]),
        {
            "kind": kind,
            "technique": technique,
            "listing": "ASRp",
            "contact_side": "left",
            "settings_text": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Treatment.objects.filter(visit=visit).latest("id")


# ------------------------------------------------------------------------------- safety gate


@pytest.mark.django_db
def test_without_any_safety_screen_signing_is_refused_and_the_page_says_why(personas) -> None:
    client = personas.login(personas.clinician)
    visit = care.visit(personas.clinician, personas.patient)
    treatment = add_treatment(client, visit, technique="nucca")
    page = client.get(reverse("visits:visit", args=[visit.pk])).content.decode()
    assert "no safety screen" in page
    client.post(reverse("visits:treatment_sign", args=[treatment.pk]))
    treatment.refresh_from_db()
    assert treatment.signed_at is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "technique", "allowed"),
    [
        # The screen's rule table (docs/safety.md): no finding -> none-found, any technique may be
        # signed.
        pytest.param({}, "hio_toggle", True, id="none-found-thrust-allowed"),
        # Rule G2 (patient refuses manual therapy) is B-routine: blocks every technique.
        pytest.param({"G2": True}, "nucca", False, id="B-blocks-non-thrust"),
    ],
)
def test_the_gate_follows_the_screen_level(personas, overrides, technique, allowed) -> None:
    care.screen_record(personas.clinician, personas.patient, **overrides)
    client = personas.login(personas.clinician)
    visit = care.visit(personas.clinician, personas.patient)
    treatment = add_treatment(client, visit, technique=technique)
    client.post(reverse("visits:treatment_sign", args=[treatment.pk]))
    treatment.refresh_from_db()
    assert (treatment.signed_at is not None) is allowed


@pytest.mark.django_db
def test_high_blood_pressure_blocks_thrust_but_not_nucca(personas) -> None:
    # Rule V7: BP >= 180/110 at the visit -> H; H blocks thrust techniques only (docs/safety.md).
    care.screen_record(personas.clinician, personas.patient)
    client = personas.login(personas.clinician)
    saved = client.post(
        reverse("exams:create", args=[personas.patient.pk, "blood_pressure"]),
        {"left_systolic": 185, "left_diastolic": 95, "right_systolic": 150, "right_diastolic": 90},
    )
    assert saved.status_code == 302
    visit = care.visit(personas.clinician, personas.patient)
    toggle = add_treatment(client, visit, technique="hio_toggle")
    nucca = add_treatment(client, visit, technique="nucca")
    page = client.get(reverse("visits:visit", args=[visit.pk])).content.decode()
    assert "(H)" in page
    client.post(reverse("visits:treatment_sign", args=[toggle.pk]))
    client.post(reverse("visits:treatment_sign", args=[nucca.pk]))
    toggle.refresh_from_db()
    nucca.refresh_from_db()
    assert toggle.signed_at is None
    # H allows low-force work only after the clinician's documented review (the gate's table).
    assert nucca.signed_at is None
    from atlaschart.safety.services import latest_screen

    client.post(
        reverse("safety:acknowledge", args=[latest_screen(personas.patient).pk]),
        {"rule": "V7", "action": "acknowledge", "reason": "rechecked: mobilisation only today"},
    )
    client.post(reverse("visits:treatment_sign", args=[toggle.pk]))
    client.post(reverse("visits:treatment_sign", args=[nucca.pk]))
    toggle.refresh_from_db()
    nucca.refresh_from_db()
    assert toggle.signed_at is None
    assert nucca.signed_at is not None


# -------------------------------------------------------------------- notes and amendments


@pytest.mark.django_db
def test_two_editors_of_one_draft_do_not_overwrite_each_other(personas) -> None:
    visit = care.visit(personas.clinician, personas.patient)
    first, second = personas.login(personas.clinician), personas.login(personas.admin)
    base = {"version": visit.version, "objective": "", "assessment": "", "plan": ""}
    assert (
        first.post(reverse("visits:save", args=[visit.pk]), {**base, "subjective": "A"}).status_code
        == 302
    )
    stale = second.post(reverse("visits:save", args=[visit.pk]), {**base, "subjective": "B"})
    assert stale.status_code == 409
    assert "Someone else saved this note" in stale.content.decode()
    visit.refresh_from_db()
    assert visit.subjective == "A"
    assert visit.version == 2


@pytest.mark.django_db
def test_a_signed_note_changes_only_through_an_amendment(personas) -> None:
    client = personas.login(personas.clinician)
    visit = care.visit(personas.clinician, personas.patient)
    client.post(
        reverse("visits:save", args=[visit.pk]),
        {
            "version": 1,
            "subjective": "neck pain 6/10",
            "objective": "",
            "assessment": "",
            "plan": "",
        },
    )
    client.post(reverse("visits:sign", args=[visit.pk]))
    refused = client.post(
        reverse("visits:save", args=[visit.pk]),
        {"version": 2, "subjective": "edited", "objective": "", "assessment": "", "plan": ""},
    )
    assert refused.status_code == 409
    client.post(
        reverse("visits:amend", args=[visit.pk]),
        {
            "subjective": "neck pain 4/10",
            "objective": "",
            "assessment": "",
            "plan": "",
            "reason": "typo",
            "version": 0,
        },
    )
    visit.refresh_from_db()
    assert visit.subjective == "neck pain 6/10"
    amendment = Amendment.objects.get(visit=visit)
    assert (amendment.subjective, amendment.changed_fields, amendment.author) == (
        "neck pain 4/10",
        ["subjective"],
        personas.clinician,
    )
    page = client.get(reverse("visits:visit", args=[visit.pk])).content.decode()
    assert "neck pain 6/10" in page
    assert "neck pain 4/10" in page
    assert AccessLogEntry.objects.filter(action="amend", object_id=str(visit.pk)).count() == 1
    assert AccessLogEntry.objects.filter(action="sign", object_id=str(visit.pk)).count() == 1


# ----------------------------------------------------------------------------- scheduling


@pytest.mark.django_db
def test_double_booking_is_refused_with_a_clear_message(personas) -> None:
    client = personas.login(personas.desk)
    url = reverse("visits:book", args=[personas.patient.pk])
    first = client.post(
        url,
        {
            "clinician": personas.clinician.pk,
            "starts_at": at(10).strftime("%Y-%m-%dT%H:%M"),
            "minutes": 30,
            "confirm": "on",
        },
    )
    assert first.status_code == 302
    # 10:15-10:45 overlaps 10:00-10:30.
    clash = client.post(
        url,
        {
            "clinician": personas.clinician.pk,
            "starts_at": at(10, 15).strftime("%Y-%m-%dT%H:%M"),
            "minutes": 30,
            "confirm": "on",
        },
    )
    assert clash.status_code == 200
    assert "is already booked at" in clash.content.decode()
    # 10:30 starts as the first ends: no overlap.
    after = client.post(
        url,
        {
            "clinician": personas.clinician.pk,
            "starts_at": at(10, 30).strftime("%Y-%m-%dT%H:%M"),
            "minutes": 30,
            "confirm": "on",
        },
    )
    assert after.status_code == 302
    assert Appointment.objects.filter(clinician=personas.clinician).count() == 2


@pytest.mark.django_db
def test_a_cancelled_slot_can_be_booked_again(personas) -> None:
    cancelled = care.booked_appointment(
        personas.desk, personas.patient, at(11), clinician=personas.clinician
    )
    care.appointment_status(personas.desk, cancelled, "cancelled")
    response = personas.login(personas.desk).post(
        reverse("visits:book", args=[personas.patient.pk]),
        {
            "clinician": personas.clinician.pk,
            "starts_at": at(11).strftime("%Y-%m-%dT%H:%M"),
            "minutes": 30,
            "confirm": "on",
        },
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_clinicians_start_at_todays_list(personas) -> None:
    assert personas.login(personas.clinician).get("/").url == reverse("visits:today")
    # Front desk starts at the clinic's whole day: every clinician's appointments and arrivals.
    assert personas.login(personas.desk).get("/").url == reverse("visits:today")


# ----------------------------------------------------------------------------- public form


def _public_post(client, token, extra=None):
    data = {
        "name": "이지은",
        "contact": "010-5555-1234",
        "preferred_time": "weekday mornings",
        "complaint": "neck pain",
        "website": "",
        "token": token,
        **(extra or {}),
    }
    return client.post("/c/seoul/", data)


def _old_token() -> str:
    # Signed 10 s ago: passes the 3-second minimum fill time.
    from atlaschart.visits.forms import _SALT

    return signing.dumps(timezone.now().timestamp() - 10, salt=_SALT)


@pytest.mark.django_db
def test_the_public_page_accepts_a_request_without_login(personas) -> None:
    client = Client()
    page = client.get("/c/seoul/")
    assert page.status_code == 200
    assert personas.seoul.name in page.content.decode()
    assert _public_post(client, _old_token()).status_code == 200
    assert ConsultationRequest.objects.filter(clinic=personas.seoul).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "extra",
    [
        pytest.param({"website": "http://spam.example"}, id="honeypot-filled"),
        pytest.param({"token": "forged"}, id="unsigned-token"),
    ],
)
def test_bots_are_refused(personas, extra) -> None:
    assert _public_post(Client(), _old_token(), extra).status_code == 400
    assert ConsultationRequest.objects.count() == 0


@pytest.mark.django_db
def test_a_form_sent_back_too_fast_is_refused(personas) -> None:
    from atlaschart.visits.forms import form_token

    assert _public_post(Client(), form_token()).status_code == 400


@pytest.mark.django_db
def test_a_spam_flood_is_throttled_after_five_an_hour(personas) -> None:
    client = Client()
    codes = [_public_post(client, _old_token()).status_code for _ in range(8)]
    # Issue brief: 5 per hour per IP; the 6th and later are refused.
    assert codes == [200] * 5 + [429] * 3
    assert ConsultationRequest.objects.count() == 5


@pytest.mark.django_db
def test_staff_turn_a_request_into_a_patient_and_appointment(personas) -> None:
    req = care.consultation_request(
        personas.seoul, name="이지은", contact="010-5555-1234", complaint="neck pain"
    )
    response = personas.login(personas.desk).post(
        reverse("visits:convert", args=[req.pk]),
        {
            "name": "이지은",
            "date_of_birth": "1990-01-02",
            "phone": "010-5555-1234",
            "clinician": personas.clinician.pk,
            "starts_at": at(14).strftime("%Y-%m-%dT%H:%M"),
            "minutes": 45,
        },
    )
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == "converted"
    assert req.patient.clinic == personas.seoul
    assert req.appointment.clinician == personas.clinician


# -------------------------------------------------------------------------------- isolation


@pytest.mark.django_db
def test_an_outsider_gets_404_for_every_record(personas) -> None:
    visit = care.visit(personas.clinician, personas.patient)
    treatment = care.treatment(personas.clinician, visit, technique="nucca")
    # A real exam record (a screen id here would 404 whatever the exam door did).
    record = exam(
        personas.clinician,
        personas.patient,
        "blood_pressure",
        {"left_systolic": 120, "left_diastolic": 80},
        visit=visit,
    )
    req = care.consultation_request(personas.seoul, name="x", contact="y", complaint="z")
    outsider = personas.login(personas.outsider)
    for url in [
        reverse("visits:visit", args=[visit.pk]),
        reverse("visits:amend", args=[visit.pk]),
        reverse("visits:open", args=[visit.appointment_id]),
        reverse("exams:detail", args=[record.pk]),
        reverse("exams:create", args=[personas.patient.pk, "leg_check"]),
        reverse("visits:convert", args=[req.pk]),
        reverse("visits:book", args=[personas.patient.pk]),
    ]:
        assert outsider.get(url).status_code == 404, url
    assert outsider.post(reverse("visits:treatment_sign", args=[treatment.pk])).status_code == 404
    assert outsider.post(reverse("visits:sign", args=[visit.pk])).status_code == 404
    visit.refresh_from_db()
    assert visit.signed_at is None


@pytest.mark.django_db
def test_reading_a_visit_is_logged(personas) -> None:
    visit = care.visit(personas.clinician, personas.patient)
    personas.login(personas.clinician).get(reverse("visits:visit", args=[visit.pk]))
    entry = AccessLogEntry.objects.filter(
        object_type="visits.visit", object_id=str(visit.pk)
    ).first()
    assert entry is not None
    assert (entry.action, entry.user, entry.patient) == (
        "view",
        personas.clinician,
        personas.patient,
    )


# --------------------------------------------------------------------------- adverse events


@pytest.mark.django_db
def test_a_serious_event_at_follow_up_reaches_the_admin(personas) -> None:
    care.screen_record(personas.clinician, personas.patient)
    client = personas.login(personas.clinician)
    earlier = care.visit(personas.clinician, personas.patient)
    care.signed_treatment(personas.clinician, earlier, technique="nucca")
    later = care.visit(personas.clinician, personas.patient, at(10, days=0))
    assert (
        "Follow-up since the last treatment"
        in client.get(reverse("visits:visit", args=[later.pk])).content.decode()
    )
    # Eriksen 2011 definition: new complaint within 24 h; hospitalisation ticked -> serious.
    client.post(
        reverse("visits:followup", args=[later.pk]),
        {
            "description": "dizziness",
            "is_new": "new",
            "severity_0_10": 6,
            "onset_h": 3,
            "serious_criteria": ["hospitalisation"],
        },
    )
    admin_page = (
        personas.login(personas.admin).get(reverse("visits:adverse_events")).content.decode()
    )
    assert "dizziness" in admin_page
    chart = client.get(reverse("patients:chart", args=[personas.patient.pk])).content.decode()
    assert "raised to the clinic admin" in chart
    assert (
        personas.login(personas.clinician).get(reverse("visits:adverse_events")).status_code == 403
    )
