"""The exam door and the role policy: another clinic gets 404 on a real exam, front desk gets 403
on every exam page and sees no exam on the chart, and the service derives what it stores."""

from __future__ import annotations

import pytest
from django.urls import reverse

from atlaschart.audit.models import AccessLogEntry
from atlaschart.exams import kinds, services
from atlaschart.exams.access import exams_of_clinic, get_exam_for_user
from atlaschart.exams.models import ExamRecord
from atlaschart.lib.access import RecordNotFound
from atlaschart.lib.actor import Actor

pytestmark = pytest.mark.django_db

LEG = {"check_type": "supine", "short_side": "right", "magnitude": 2.0, "unit": "eighth_inch"}


def seoul_exam(personas) -> ExamRecord:
    """A real exam of the Seoul clinic, made through the form."""
    response = personas.login(personas.clinician).post(
        reverse("exams:create", args=[personas.patient.pk, "leg_check"]),
        {**LEG, "timing": "pre", "magnitude": "2"},
    )
    assert response.status_code == 302
    return ExamRecord.objects.get(patient=personas.patient)


def test_a_user_of_another_clinic_gets_404_for_a_real_exam_and_writes_nothing(personas) -> None:
    exam = seoul_exam(personas)
    outsider = personas.login(personas.outsider)
    assert outsider.get(reverse("exams:detail", args=[exam.pk])).status_code == 404
    create = reverse("exams:create", args=[personas.patient.pk, "leg_check"])
    assert outsider.get(create).status_code == 404
    assert outsider.post(create, {**LEG, "timing": "pre"}).status_code == 404
    assert ExamRecord.objects.count() == 1
    assert not AccessLogEntry.objects.filter(user=personas.outsider, action="view").exists()


def test_the_exam_door_scopes_to_the_actors_clinic(personas) -> None:
    exam = seoul_exam(personas)
    outsider = Actor.system(personas.outsider, via="test")
    with pytest.raises(RecordNotFound):
        get_exam_for_user(outsider, exam.pk)
    assert not exams_of_clinic(outsider).exists()
    assert get_exam_for_user(Actor.system(personas.clinician, via="test"), exam.pk) == exam


@pytest.mark.parametrize("method", ["get", "post"])
def test_front_desk_gets_403_on_every_exam_page(personas, method) -> None:
    exam = seoul_exam(personas)
    desk = personas.login(personas.desk)
    urls = [
        reverse("exams:detail", args=[exam.pk]),
        reverse("exams:create", args=[personas.patient.pk, "leg_check"]),
        reverse("exams:create", args=[personas.patient.pk, "neuro"]),
    ]
    for url in urls:
        response = getattr(desk, method)(url, {**LEG, "timing": "pre"} if method == "post" else {})
        assert response.status_code == 403, url
    assert ExamRecord.objects.count() == 1


def test_front_desks_chart_shows_no_exam_and_no_link_to_one(personas) -> None:
    exam = seoul_exam(personas)
    chart = reverse("patients:chart", args=[personas.patient.pk])
    desk_page = personas.login(personas.desk).get(chart).content.decode()
    assert reverse("exams:detail", args=[exam.pk]) not in desk_page
    assert "/exams/patient/" not in desk_page
    assert 'id="section-exam"' not in desk_page
    clinician_page = personas.login(personas.clinician).get(chart).content.decode()
    assert reverse("exams:detail", args=[exam.pk]) in clinician_page


def test_the_service_derives_what_it_stores_from_the_raw_inputs(personas) -> None:
    """The caller hands over raw inputs only; the stored derived values are the core's."""
    actor = Actor.system(personas.clinician, via="test")
    record = services.record_exam(actor, personas.patient, "leg_check", raw=LEG, timing="pre")
    derived, summary = kinds.build("leg_check", LEG, timing="pre")
    assert record.derived == derived and record.summary == summary
    assert record.derived["magnitude_mm"] == 6.35  # 2/8 in = 2 x 25.4 / 8 mm
    entry = AccessLogEntry.objects.get(object_type="exams.examrecord", object_id=str(record.pk))
    assert (entry.action, entry.user, entry.patient) == (
        "create",
        personas.clinician,
        personas.patient,
    )


def test_a_core_refusal_at_the_service_is_a_400_and_stores_nothing(personas, monkeypatch) -> None:
    """Should the inputs change between the form's check and the service's (a pre check saved
    meanwhile), the service's own run of the core decides, and the page says why."""
    from atlaschart.measure.exam import ExamValidationError

    def refuse(*args, **kwargs):
        raise ExamValidationError("required", "magnitude_mm")

    # Only the service's core refuses; the form's check still passes.
    monkeypatch.setattr(services, "build", refuse)
    response = personas.login(personas.clinician).post(
        reverse("exams:create", args=[personas.patient.pk, "palpation"]),
        {"findings": "Tender left C1 transverse process"},
    )
    assert response.status_code == 400
    assert "Nothing was saved" in response.content.decode()
    assert not ExamRecord.objects.exists()
