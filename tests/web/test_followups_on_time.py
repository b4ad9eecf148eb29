"""Follow-ups on time: care-plan re-assessment points, the today page, sending a follow-up link
by e-mail in the patient's language, the opt-out, the SMS seam and the daily reminder task."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from tests.factories import care
from tests.factories.intake import followup_link, followup_sent

pytestmark = pytest.mark.django_db


def _plan(personas: Any, patient: Any, start_days_ago: int, **points: Any) -> Any:
    return care.care_plan(
        personas.clinician,
        patient,
        start_date=timezone.localdate() - timedelta(days=start_days_ago),
        **points,
    )


def _visit(personas: Any, patient: Any, days_ago: int) -> None:
    care.visit(personas.clinician, patient, care.at(10, days=-days_ago))


def _actor(user: Any) -> Any:
    from atlaschart.lib.actor import Actor

    return Actor.system(user, via="test")


def test_week_points_come_due_and_overdue(personas: Any) -> None:
    from atlaschart.visits.services import due_reassessments

    _plan(personas, personas.patient, 30, reassess_weeks=[4, 8])  # week 4 was 2 days ago
    (due,) = due_reassessments(_actor(personas.desk), timezone.localdate())
    assert (due.point, due.number, due.overdue) == ("week", 4, False)
    assert due.due_on == timezone.localdate() - timedelta(days=2)
    later = due_reassessments(_actor(personas.desk), timezone.localdate() + timedelta(days=6))
    assert later[0].overdue  # 8 days past week 4, more than the 7 days' grace


def test_visit_points_wait_for_the_nth_visit_and_a_follow_up_clears_them(personas: Any) -> None:
    from atlaschart.visits.services import due_reassessments

    _plan(personas, personas.patient, 20, reassess_after_visits=[3])
    _visit(personas, personas.patient, 14)
    _visit(personas, personas.patient, 7)
    assert due_reassessments(_actor(personas.desk), timezone.localdate()) == []
    _visit(personas, personas.patient, 1)
    (due,) = due_reassessments(_actor(personas.desk), timezone.localdate())
    assert (due.point, due.number) == ("visit", 3)
    link, _token = followup_link(personas.desk, personas.patient, ["nprs"])
    assert due_reassessments(_actor(personas.desk), timezone.localdate())[0].link_sent
    followup_sent(link)
    assert due_reassessments(_actor(personas.desk), timezone.localdate()) == []


def test_another_clinic_never_sees_our_due_reassessments(personas: Any) -> None:
    from atlaschart.visits.services import due_reassessments

    _plan(personas, personas.patient, 30, reassess_weeks=[4])
    assert due_reassessments(_actor(personas.outsider), timezone.localdate()) == []


def test_the_front_desk_today_page_lists_the_due_re_assessment(personas: Any) -> None:
    _plan(personas, personas.patient, 40, reassess_weeks=[4])
    client = personas.login(personas.desk)
    page = client.get(reverse("visits:today"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    section = page[page.index('id="reassess"') :]
    assert personas.patient.name in section and "week 4" in section and "overdue" in section
    assert reverse("intake:followup_create", args=[personas.patient.pk]) in section


def test_the_care_plan_form_reads_the_points_and_refuses_nonsense() -> None:
    from atlaschart.visits.forms import CarePlanForm

    base = {"start_date": "2026-03-02", "interval_days": 7, "planned_visits": 12}
    form = CarePlanForm({**base, "reassess_after_visits": "12, 6,6", "reassess_weeks": "4"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["reassess_after_visits"] == [6, 12]
    assert form.cleaned_data["reassess_weeks"] == [4]
    for bad in ("six", "0", "-1", "1e3", "٣", "999"):
        assert not CarePlanForm({**base, "reassess_weeks": bad}).is_valid(), bad


@pytest.mark.parametrize(
    ("language", "words"), [("ko", "후속 설문"), ("en", "your follow-up questions")]
)
def test_the_link_goes_out_by_email_in_the_patients_language(
    personas: Any, language: str, words: str
) -> None:
    from atlaschart.audit.models import AccessLogEntry
    from atlaschart.intake.sending import send_followup_link

    patient = personas.patient
    patient.email, patient.preferred_language = "minjun@example.org", language
    patient.save()
    link = send_followup_link(_actor(personas.desk), patient, ["nprs"])
    (message,) = mail.outbox
    assert message.to == ["minjun@example.org"] and words in message.subject
    assert "http://localhost:8000/intake/p/" in message.body and "{{" not in message.body
    assert link.kind == "followup" and link.instruments == ["nprs"]
    assert AccessLogEntry.objects.filter(detail="follow-up link sent by email").count() == 1


def test_an_opted_out_patient_gets_nothing_and_no_link_is_left(personas: Any) -> None:
    from atlaschart.intake.models import IntakeLink
    from atlaschart.intake.sending import SendingRefused, send_followup_link

    patient = personas.patient
    patient.email, patient.no_followup_messages = "minjun@example.org", True
    patient.save()
    with pytest.raises(SendingRefused):
        send_followup_link(_actor(personas.desk), patient, ["nprs"])
    assert mail.outbox == [] and not IntakeLink.objects.filter(patient=patient).exists()


def test_sms_without_a_provider_is_refused_and_a_plugged_provider_is_used(
    personas: Any, settings: Any
) -> None:
    from atlaschart.intake.sending import SendingRefused, send_followup_link

    with pytest.raises(SendingRefused):
        send_followup_link(_actor(personas.desk), personas.patient, ["nprs"], "sms")
    settings.ATLASCHART_SMS_SENDER = "tests.web.test_followups_on_time.RecordingSender"
    RecordingSender.sent.clear()
    send_followup_link(_actor(personas.desk), personas.patient, ["nprs"], "sms")
    ((phone, text),) = RecordingSender.sent
    assert phone == personas.patient.phone and "/intake/p/" in text


class RecordingSender:
    sent: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        self.sent.append((phone, text))


def test_a_failed_delivery_withdraws_the_link(personas: Any, settings: Any) -> None:
    from atlaschart.intake.models import IntakeLink
    from atlaschart.intake.sending import SendingRefused, send_followup_link

    settings.ATLASCHART_SMS_SENDER = "tests.web.test_followups_on_time.FailingSender"
    with pytest.raises(SendingRefused):
        send_followup_link(_actor(personas.desk), personas.patient, ["nprs"], "sms")
    (link,) = IntakeLink.objects.filter(patient=personas.patient)
    assert link.revoked_at is not None


class FailingSender:
    def send(self, phone: str, text: str) -> None:
        from atlaschart.intake.sending import SendFailed

        raise SendFailed("provider down")


def test_the_daily_reminder_task_sends_to_the_due_and_skips_the_opted_out(
    personas: Any, settings: Any
) -> None:
    from atlaschart.patients.services import create_patient
    from atlaschart.visits.tasks import remind_due_reassessments

    # apply(): the task runs here, as it does eagerly when no broker is configured.
    patient = personas.patient
    patient.email = "minjun@example.org"
    patient.save()
    quiet = create_patient(
        _actor(personas.desk),
        {
            "chart_number": "000077",
            "name": "조용한",
            "date_of_birth": date(1970, 1, 1),
            "email": "quiet@example.org",
            "no_followup_messages": True,
        },
    )
    for who in (patient, quiet):
        _plan(personas, who, 30, reassess_weeks=[4])
    result = remind_due_reassessments.apply().get()
    assert result == {"sent": 1, "skipped": 1}
    assert [m.to for m in mail.outbox] == [["minjun@example.org"]]
    # The link now counts as sent: the next day's run does not send it again.
    assert remind_due_reassessments.apply().get() == {"sent": 0, "skipped": 1}


def test_front_desk_sends_the_link_by_email_from_the_follow_up_page(personas: Any) -> None:
    patient = personas.patient
    patient.email = "minjun@example.org"
    patient.save()
    client = personas.login(personas.desk)
    url = reverse("intake:followup_create", args=[patient.pk])
    assert "send_email" in client.get(url).content.decode()
    response = client.post(url, {"instruments": ["nprs"], "send_email": "1"})
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["minjun@example.org"]]
    patient.no_followup_messages = True
    patient.save()
    refused = client.post(
        url, {"instruments": ["nprs"], "send_email": "1"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert refused.status_code == 400 and len(mail.outbox) == 1
    assert "asked for no follow-up messages" in refused.content.decode()
