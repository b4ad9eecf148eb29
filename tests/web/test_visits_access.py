"""Visits: every door keeps another clinic's records out (404, nothing written), the role policy
keeps front desk out of clinical pages (403) but on the schedule and the requests (200), the
chart hides clinical content from front desk, and lists are in the access log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from tests.factories import care
from tests.factories.care import at

from atlaschart.accounts.models import Role, User
from atlaschart.audit.models import AccessLogEntry
from atlaschart.lib.access import RecordNotFound
from atlaschart.lib.actor import Actor
from atlaschart.visits import access, services
from atlaschart.visits.models import (
    AdverseEvent,
    Amendment,
    Appointment,
    CarePlan,
    ConsentRecord,
    ConsultationRequest,
    Treatment,
    Visit,
)


@dataclass
class Records:
    appointment: Appointment
    visit: Visit
    signed_visit: Visit
    treatment: Treatment
    plan: CarePlan
    event: AdverseEvent
    consent: ConsentRecord
    amendment: Amendment
    request: ConsultationRequest


@pytest.fixture
def records(personas: Any) -> Records:
    """One real record of every kind in the Seoul clinic."""
    p, c = personas.patient, personas.clinician
    appointment = care.booked_appointment(c, p, at(9, days=0), note="front desk may read this")
    visit = care.opened_visit(c, appointment)
    signed_visit = care.signed_visit(
        c, care.visit(c, p, at(9, days=-7)), subjective="signed original"
    )
    treatment = care.treatment(c, visit, technique="nucca")
    plan = care.care_plan(
        c, p, start_date=date(2026, 1, 5), goals=["Turn the head to reverse the car"]
    )
    # Hospitalisation makes it serious: escalated to the clinic admin.
    event = care.adverse_event(
        c,
        signed_visit,
        "dizzy for two days after the adjustment",
        severity_0_10=7,
        onset_h=2,
        serious_criteria=["hospitalisation"],
    )
    consent = care.consent(c, p, "manual_therapy", given_on=date(2026, 1, 5))
    amendment = care.amendment(c, signed_visit, "typo", subjective="amended")
    request = care.consultation_request(
        personas.seoul,
        name="이지은",
        contact="010-5555-1234",
        complaint="어깨 통증 (shoulder pain)",
    )
    return Records(
        appointment, visit, signed_visit, treatment, plan, event, consent, amendment, request
    )


@pytest.fixture
def busan_admin(personas: Any) -> User:
    """An admin of another clinic: passes every permission check, so only the door stops them."""
    user = User(username="busan-admin", clinic=personas.busan, role=Role.CLINIC_ADMIN)
    user.set_password(personas.password)
    user.save()
    return user


def pages(r: Records, patient_id: int) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, url, data) for every visits page that takes the id of a record."""
    slot = {"clinician": "", "starts_at": at(15).strftime("%Y-%m-%dT%H:%M"), "minutes": 30}
    note = {"version": 1, "subjective": "x", "objective": "", "assessment": "", "plan": ""}
    return [
        ("get", reverse("visits:visit", args=[r.visit.pk]), {}),
        ("post", reverse("visits:save", args=[r.visit.pk]), note),
        ("post", reverse("visits:sign", args=[r.visit.pk]), {}),
        ("get", reverse("visits:amend", args=[r.signed_visit.pk]), {}),
        ("post", reverse("visits:amend", args=[r.signed_visit.pk]), {**note, "reason": "r"}),
        ("post", reverse("visits:treatment_add", args=[r.visit.pk]), {"kind": "uc_adjustment"}),
        ("post", reverse("visits:followup", args=[r.visit.pk]), {"nothing": "1"}),
        ("post", reverse("visits:treatment_sign", args=[r.treatment.pk]), {}),
        ("post", reverse("visits:treatment_delete", args=[r.treatment.pk]), {}),
        ("post", reverse("visits:status", args=[r.appointment.pk]), {"status": "cancelled"}),
        ("get", reverse("visits:open", args=[r.appointment.pk]), {}),
        ("post", reverse("visits:open", args=[r.appointment.pk]), {}),
        ("get", reverse("visits:care_plan_book", args=[r.plan.pk]), {}),
        ("post", reverse("visits:care_plan_book", args=[r.plan.pk]), slot),
        ("post", reverse("visits:adverse_event_review", args=[r.event.pk]), {}),
        ("get", reverse("visits:convert", args=[r.request.pk]), {}),
        ("post", reverse("visits:decline", args=[r.request.pk]), {}),
        ("get", reverse("visits:book", args=[patient_id]), {}),
        ("get", reverse("visits:care_plan", args=[patient_id]), {}),
        ("get", reverse("visits:consent", args=[patient_id]), {}),
    ]


def snapshot() -> dict[str, Any]:
    """Everything a refused request must leave as it was."""
    return {
        "appointments": list(Appointment.objects.values_list("pk", "status").order_by("pk")),
        "visits": list(
            Visit.objects.values_list("pk", "subjective", "signed_at", "followup_done").order_by(
                "pk"
            )
        ),
        "treatments": list(Treatment.objects.values_list("pk", "signed_at").order_by("pk")),
        "amendments": Amendment.objects.count(),
        "events": list(AdverseEvent.objects.values_list("pk", "reviewed_at").order_by("pk")),
        "requests": list(ConsultationRequest.objects.values_list("pk", "status").order_by("pk")),
        "plans": CarePlan.objects.count(),
        "consents": ConsentRecord.objects.count(),
    }


@pytest.mark.django_db
def test_another_clinics_admin_gets_404_for_every_record_and_changes_nothing(
    personas, records, busan_admin
) -> None:
    client = personas.login(busan_admin)
    before = snapshot()
    for method, url, data in pages(records, personas.patient.pk):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (method, url, response.status_code)
    assert snapshot() == before
    assert not AccessLogEntry.objects.filter(user=busan_admin, patient=personas.patient).exists()


DOORS = [
    ("visit", access.get_visit_for_user, "visits.visit"),
    ("appointment", access.get_appointment_for_user, "visits.appointment"),
    ("treatment", access.get_treatment_for_user, "visits.treatment"),
    ("plan", access.get_care_plan_for_user, "visits.careplan"),
    ("event", access.get_adverse_event_for_user, "visits.adverseevent"),
    ("consent", access.get_consent_for_user, "visits.consentrecord"),
    ("amendment", access.get_amendment_for_user, "visits.amendment"),
    ("request", access.get_consultation_request_for_user, "visits.consultationrequest"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "door", "label"), DOORS, ids=[d[0] for d in DOORS])
def test_each_door_hands_out_its_own_clinics_record_logged_and_no_other(
    personas, records, field, door, label
) -> None:
    obj = getattr(records, field)
    # Rows written before: the services that made the records logged them.
    earlier = list(AccessLogEntry.objects.values_list("pk", flat=True))
    got = door(Actor.system(personas.clinician, via="test"), obj.pk, detail="door test")
    assert got == obj
    entry = AccessLogEntry.objects.exclude(pk__in=earlier).get(
        object_type=label, object_id=str(obj.pk)
    )
    assert (entry.user, entry.action, entry.detail) == (personas.clinician, "view", "door test")
    with pytest.raises(RecordNotFound):
        door(Actor.system(personas.outsider, via="test"), obj.pk)
    with pytest.raises(RecordNotFound):
        door(Actor.system(None, via="test"), obj.pk)


LISTS = [
    ("visit", access.visits_of_clinic),
    ("appointment", access.appointments_of_clinic),
    ("treatment", access.treatments_of_clinic),
    ("plan", access.care_plans_of_clinic),
    ("event", access.adverse_events_of_clinic),
    ("consent", access.consents_of_clinic),
    ("amendment", access.amendments_of_clinic),
    ("request", access.consultation_requests_of_clinic),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "of_clinic"), LISTS, ids=[d[0] for d in LISTS])
def test_each_list_holds_only_the_users_clinic(personas, records, field, of_clinic) -> None:
    obj = getattr(records, field)
    assert obj in of_clinic(Actor.system(personas.clinician, via="test"))
    assert not of_clinic(Actor.system(personas.outsider, via="test")).exists()


@pytest.mark.django_db
def test_services_refuse_another_clinics_record_even_when_called_directly(
    personas, records
) -> None:
    outsider = Actor.system(personas.outsider, via="test")
    before = snapshot()
    calls = [
        lambda: services.set_status(outsider, records.appointment, "cancelled"),
        lambda: services.open_visit(outsider, records.appointment),
        lambda: services.update_note(outsider, records.visit, dict.fromkeys(SOAP, "x"), 1),
        lambda: services.sign_note(outsider, records.visit),
        lambda: services.amend_note(
            outsider, records.signed_visit, dict.fromkeys(SOAP, "x"), "r", 1
        ),
        lambda: services.add_treatment(outsider, records.visit, {"kind": "uc_adjustment"}),
        lambda: services.sign_treatment(outsider, records.treatment),
        lambda: services.delete_draft_treatment(outsider, records.treatment),
        lambda: services.record_followup(outsider, records.visit, None),
        lambda: services.review_adverse_event(outsider, records.event),
        lambda: services.create_care_plan(outsider, personas.patient, {}, []),
        lambda: services.record_consent(outsider, personas.patient, {}),
        lambda: services.decline_request(outsider, records.request),
    ]
    for call in calls:
        with pytest.raises(RecordNotFound):
            call()
    assert snapshot() == before


SOAP = ("subjective", "objective", "assessment", "plan")


# ------------------------------------------------------------------------------ role policy


def clinical_pages(r: Records, patient_id: int) -> list[tuple[str, str]]:
    return [
        ("get", reverse("visits:visit", args=[r.visit.pk])),
        ("post", reverse("visits:save", args=[r.visit.pk])),
        ("post", reverse("visits:sign", args=[r.visit.pk])),
        ("get", reverse("visits:amend", args=[r.signed_visit.pk])),
        ("post", reverse("visits:treatment_add", args=[r.visit.pk])),
        ("post", reverse("visits:treatment_sign", args=[r.treatment.pk])),
        ("post", reverse("visits:treatment_delete", args=[r.treatment.pk])),
        ("post", reverse("visits:followup", args=[r.visit.pk])),
        ("get", reverse("visits:open", args=[r.appointment.pk])),
        ("get", reverse("visits:care_plan", args=[patient_id])),
        ("get", reverse("visits:care_plan_book", args=[r.plan.pk])),
        ("get", reverse("visits:consent", args=[patient_id])),
        ("get", reverse("visits:adverse_events")),
        ("post", reverse("visits:adverse_event_review", args=[r.event.pk])),
    ]


@pytest.mark.django_db
def test_front_desk_gets_403_on_every_clinical_visits_page_and_writes_nothing(
    personas, records
) -> None:
    client = personas.login(personas.desk)
    before = snapshot()
    for method, url in clinical_pages(records, personas.patient.pk):
        response = getattr(client, method)(url, {"nothing": "1"} if method == "post" else {})
        assert response.status_code == 403, (method, url, response.status_code)
    assert snapshot() == before
    # A refusal is not a read: no row says front desk saw the clinical record.
    assert not AccessLogEntry.objects.filter(user=personas.desk).exclude(action="denied").exists()


@pytest.mark.django_db
def test_front_desk_works_the_schedule_and_the_requests(personas, records) -> None:
    client = personas.login(personas.desk)
    for url in [
        reverse("visits:today"),
        reverse("visits:calendar"),
        reverse("visits:calendar") + "?view=week",
        reverse("visits:requests"),
        reverse("visits:book", args=[personas.patient.pk]),
        reverse("visits:convert", args=[records.request.pk]),
    ]:
        assert client.get(url).status_code == 200, url
    response = client.post(
        reverse("visits:status", args=[records.appointment.pk]), {"status": "cancelled"}
    )
    assert response.status_code == 302
    records.appointment.refresh_from_db()
    assert records.appointment.status == "cancelled"


@pytest.mark.django_db
def test_only_the_clinic_admin_reviews_escalated_events(personas, records) -> None:
    url = reverse("visits:adverse_event_review", args=[records.event.pk])
    assert personas.login(personas.clinician).post(url).status_code == 403
    assert personas.login(personas.admin).post(url).status_code == 302
    records.event.refresh_from_db()
    assert records.event.reviewed_by == personas.admin


@pytest.mark.django_db
def test_front_desk_chart_shows_appointments_but_no_clinical_content_or_links(
    personas, records
) -> None:
    page = personas.login(personas.desk).get(reverse("patients:chart", args=[personas.patient.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert (
        records.appointment.starts_at.astimezone(timezone.get_current_timezone()).strftime(
            "%Y-%m-%d %H:%M"
        )
        in html
    )
    assert reverse("visits:book", args=[personas.patient.pk]) in html
    for hidden in [
        "Turn the head to reverse the car",  # a care-plan goal
        "dizzy for two days",  # an adverse-event description (the banner)
        reverse("visits:visit", args=[records.signed_visit.pk]),
        reverse("visits:care_plan", args=[personas.patient.pk]),
        reverse("visits:care_plan_book", args=[records.plan.pk]),
        reverse("visits:consent", args=[personas.patient.pk]),
        reverse("visits:adverse_events"),
    ]:
        assert hidden not in html, hidden


@pytest.mark.django_db
def test_a_clinicians_chart_shows_the_clinical_content(personas, records) -> None:
    html = (
        personas.login(personas.clinician)
        .get(reverse("patients:chart", args=[personas.patient.pk]))
        .content.decode()
    )
    assert "Turn the head to reverse the car" in html
    assert "dizzy for two days" in html
    assert reverse("visits:visit", args=[records.signed_visit.pk]) in html


@pytest.mark.django_db
def test_front_desk_today_page_has_no_link_to_open_a_visit_note(personas, records) -> None:
    records.appointment.clinician = personas.desk
    today = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    # Front desk as the appointment's clinician, moved in place: a state the booking form never
    # offers (it lists clinicians only), so the row is changed directly.
    Appointment.objects.filter(pk=records.appointment.pk).update(
        starts_at=today, ends_at=today + timedelta(minutes=30), clinician=personas.desk
    )
    html = personas.login(personas.desk).get(reverse("visits:today")).content.decode()
    assert personas.patient.name in html
    assert reverse("visits:open", args=[records.appointment.pk]) not in html


# ------------------------------------------------------------------------------ access log


@pytest.mark.django_db
def test_the_consultation_request_list_is_logged_one_row_per_request(personas, records) -> None:
    second = care.consultation_request(
        personas.seoul, name="박서준", contact="park@example.com", complaint="두통"
    )
    care.consultation_request(personas.busan, name="other clinic", contact="x", complaint="y")
    page = personas.login(personas.desk).get(reverse("visits:requests"))
    assert page.status_code == 200
    rows = AccessLogEntry.objects.filter(
        action="list", object_type="visits.consultationrequest", user=personas.desk
    )
    assert sorted(int(r.object_id) for r in rows) == sorted([records.request.pk, second.pk])
    assert all(r.patient_id is None for r in rows)


@pytest.mark.django_db
def test_the_calendar_and_the_admins_event_list_are_logged(personas, records) -> None:
    day = timezone.localtime(records.appointment.starts_at).date().isoformat()
    personas.login(personas.clinician).get(reverse("visits:calendar"), {"date": day})
    assert AccessLogEntry.objects.filter(
        action="list", user=personas.clinician, patient=personas.patient, detail="calendar day"
    ).exists()
    personas.login(personas.admin).get(reverse("visits:adverse_events"))
    assert AccessLogEntry.objects.filter(
        action="list", user=personas.admin, detail="escalated adverse events"
    ).exists()


@pytest.fixture
def roleless(personas: Any) -> User:
    """A member of the clinic whose role the policy does not know (a role added later, or a
    mistyped one): the policy grants it nothing, so every schedule page is closed to it too."""
    user = User(username="no-role", clinic=personas.seoul, role="")
    user.set_password(personas.password)
    user.save()
    return user


@pytest.mark.django_db
def test_schedule_and_request_pages_need_a_role_the_policy_grants(
    personas, records, roleless
) -> None:
    client = personas.login(roleless)
    before = snapshot()
    for method, url in [
        ("get", reverse("visits:today")),
        ("get", reverse("visits:calendar")),
        ("get", reverse("visits:book", args=[personas.patient.pk])),
        ("post", reverse("visits:status", args=[records.appointment.pk])),
        ("get", reverse("visits:requests")),
        ("get", reverse("visits:convert", args=[records.request.pk])),
        ("post", reverse("visits:decline", args=[records.request.pk])),
        ("get", reverse("visits:profile")),
    ]:
        response = getattr(client, method)(url, {"status": "cancelled"} if method == "post" else {})
        assert response.status_code == 403, (method, url, response.status_code)
    assert snapshot() == before


@pytest.mark.django_db
def test_only_the_clinic_admin_edits_the_public_page_and_note_templates(personas) -> None:
    url = reverse("visits:profile")
    assert personas.login(personas.desk).get(url).status_code == 403
    assert personas.login(personas.clinician).get(url).status_code == 403
    assert personas.login(personas.admin).get(url).status_code == 200


@pytest.mark.django_db
def test_logging_the_request_list_does_not_cost_a_query_per_request(personas) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = personas.login(personas.desk)
    url = reverse("visits:requests")

    def add(n: int) -> None:
        for i in range(n):
            care.consultation_request(personas.seoul, name=f"요청 {i}", contact="x", complaint="y")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    add(2)
    small = count()
    add(40)
    assert count() == small
    assert AccessLogEntry.objects.filter(action="list", user=personas.desk).count() == 2 + 42
