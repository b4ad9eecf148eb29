"""The safety screen door and the role policy: another clinic gets 404 on a real screen, front
desk gets 403 on the screen page and sees only the status on the chart (done / not done / needs a
clinician), never a level or a finding; the acting user is recorded by the service."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from atlaschart.audit.models import AccessLogEntry
from atlaschart.lib.access import RecordNotFound
from atlaschart.lib.actor import Actor
from atlaschart.measure.safety import SCREENING_ITEMS
from atlaschart.safety import services
from atlaschart.safety.access import get_screen_for_user, screens_of_clinic
from atlaschart.safety.models import Acknowledgement, ScreenRecord

pytestmark = pytest.mark.django_db

ALL_NO = {item: False for item in SCREENING_ITEMS} | {"T1": "na", "T2": "na"}


def screen(personas, **answers) -> ScreenRecord:
    actor = Actor(user=personas.clinician, client_ip="10.0.0.7")
    return services.record_screen(actor, personas.patient, {**ALL_NO, **answers}, "clinician")


def chart(client: Client, personas) -> str:
    """The chart page without its CSRF tokens (random letters that may spell a rule id)."""
    page = client.get(reverse("patients:chart", args=[personas.patient.pk])).content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def test_a_user_of_another_clinic_gets_404_for_a_real_screen(personas) -> None:
    record = screen(personas, X5=True)
    outsider = personas.login(personas.outsider, "en")
    assert outsider.get(reverse("safety:patient", args=[personas.patient.pk])).status_code == 404
    response = outsider.post(
        reverse("safety:acknowledge", args=[record.pk]), {"rule": "X5", "action": "acknowledge"}
    )
    assert response.status_code == 404
    assert not Acknowledgement.objects.exists()
    with pytest.raises(RecordNotFound):
        get_screen_for_user(Actor.system(personas.outsider, via="test"), record.pk)
    assert not screens_of_clinic(Actor.system(personas.outsider, via="test")).exists()


def test_front_desk_gets_403_on_the_screen_page_and_its_actions(personas) -> None:
    record = screen(personas, X5=True)
    desk = personas.login(personas.desk, "en")
    page = reverse("safety:patient", args=[personas.patient.pk])
    assert desk.get(page).status_code == 403
    assert desk.post(page, {"sign_hoffmann": "yes"}).status_code == 403
    ack = reverse("safety:acknowledge", args=[record.pk])
    assert desk.post(ack, {"rule": "X5", "action": "acknowledge"}).status_code == 403
    assert ScreenRecord.objects.count() == 1 and not Acknowledgement.objects.exists()


@pytest.mark.parametrize(
    ("answers", "status", "english", "korean"),
    [
        (None, "not-done", "not done yet", "아직 안 함"),
        ({}, "done", "done", "완료"),
        ({"X5": True}, "needs-clinician", "done, needs a clinician", "완료, 임상가 확인 필요"),
        ({"V2": True}, "needs-clinician", "done, needs a clinician", "완료, 임상가 확인 필요"),
    ],
    ids=["no-screen", "none-found", "w-finding", "e-finding"],
)
def test_front_desk_sees_only_the_status_of_the_screen_on_the_chart(
    personas, answers, status, english, korean
) -> None:
    if answers is not None:
        screen(personas, **answers)
    for language, words in (("en", english), ("ko", korean)):
        page = chart(personas.login(personas.desk, language), personas)
        assert f'data-status="{status}"' in page
        assert words in page
        # Nothing of the content: no level, no rule, no reason, no link to the 403 page.
        assert "data-level=" not in page
        for hidden in ("X5", "V2", "emergency", "precaution", "none found", "응급", "주의"):
            assert hidden not in page, hidden
        assert reverse("safety:patient", args=[personas.patient.pk]) not in page


def test_the_clinician_still_sees_the_level_and_the_findings(personas) -> None:
    screen(personas, X5=True)
    page = chart(personas.login(personas.clinician, "en"), personas)
    assert 'data-level="W"' in page and "X5" in page
    assert reverse("safety:patient", args=[personas.patient.pk]) in page


def test_the_clinic_admin_may_acknowledge_as_the_policy_says(personas) -> None:
    record = screen(personas, X5=True)
    response = personas.login(personas.admin, "en").post(
        reverse("safety:acknowledge", args=[record.pk]), {"rule": "X5", "action": "acknowledge"}
    )
    assert response.status_code == 302
    assert Acknowledgement.objects.get().by == personas.admin


def test_the_service_records_the_actor_and_its_address(personas) -> None:
    record = screen(personas, X5=True)
    assert record.created_by == personas.clinician
    entry = AccessLogEntry.objects.get(object_type="safety.screenrecord", action="create")
    assert (entry.user, entry.client_ip, entry.patient) == (
        personas.clinician,
        "10.0.0.7",
        personas.patient,
    )
