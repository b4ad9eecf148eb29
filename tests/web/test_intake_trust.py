"""The intake doors and the role policy: another clinic gets 404 on a real intake, follow-up and
link; front desk sends links but gets 403 on answers and clinic settings and sees only the
status on the chart; draft steps are logged once per step per link; the patient acts without a
user even on a clinic device."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from tests.factories.intake import CONSENT, intake_link, link_of, token_in

from atlaschart.audit.models import AccessLogEntry, Action
from atlaschart.intake.access import (
    LinkUnusable,
    followups_of_clinic,
    get_followup_for_user,
    get_intake_for_user,
    get_intake_link_for_user,
    get_link_by_token,
    intake_links_of_clinic,
    intakes_of_clinic,
    responses_of_clinic,
)
from atlaschart.intake.models import FollowUp, Intake, IntakeLink
from atlaschart.lib.access import RecordNotFound
from atlaschart.lib.actor import Actor

pytestmark = pytest.mark.django_db

SECRET = "SEOUL-COMPLAINT-91c"


def new_link(personas) -> str:
    link, token = intake_link(personas.desk, personas.patient, ["nprs"])
    # The patient agreed on the first step. Put in the draft as it is, not saved as a step, so
    # that the logging tests below count only the rows of the steps they post.
    link.draft = dict(CONSENT)
    link.save(update_fields=["draft"])
    return token


def autosave(token: str, step: str, fields: dict, client: Client | None = None):
    return (client or Client()).post(
        reverse("intake:autosave", args=[token]),
        {"step": step, "fields": fields},
        content_type="application/json",
    )


def submitted(personas) -> tuple[Intake, FollowUp]:
    """A real intake and a real follow-up of the Seoul patient, both submitted by the patient."""
    token = new_link(personas)
    assert autosave(token, "complaints", {"complaints": SECRET}).status_code == 200
    assert autosave(token, "questionnaires", {"q_nprs_q1": "6"}).status_code == 200
    assert Client().post(reverse("intake:submit", args=[token])).status_code == 302
    page = personas.login(personas.clinician, "en").post(
        reverse("intake:followup_create", args=[personas.patient.pk]), {"instruments": ["nprs"]}
    )
    followup_token = token_in(page.content.decode())
    autosave(followup_token, "questionnaires", {"q_nprs_q1": "3"})
    assert Client().post(reverse("intake:submit", args=[followup_token])).status_code == 302
    return Intake.objects.get(), FollowUp.objects.get()


# --- another clinic ----------------------------------------------------------------------


def test_a_user_of_another_clinic_gets_404_for_each_real_record(personas) -> None:
    intake, followup = submitted(personas)
    outsider = personas.login(personas.outsider, "en")
    for url in (
        reverse("intake:detail", args=[intake.pk]),
        reverse("intake:followup_detail", args=[followup.pk]),
        reverse("intake:followup_create", args=[personas.patient.pk]),
    ):
        assert outsider.get(url).status_code == 404, url
    links_before = IntakeLink.objects.count()
    assert outsider.post(reverse("intake:link_create", args=[personas.patient.pk])).status_code == (
        404
    )
    assert IntakeLink.objects.count() == links_before


def test_each_door_scopes_to_the_actors_clinic(personas) -> None:
    intake, followup = submitted(personas)
    outsider = Actor.system(personas.outsider, via="test")
    clinician = Actor.system(personas.clinician, via="test")
    for get, pk in (
        (get_intake_for_user, intake.pk),
        (get_followup_for_user, followup.pk),
        (get_intake_link_for_user, intake.link_id),
    ):
        with pytest.raises(RecordNotFound):
            get(outsider, pk)
        assert get(clinician, pk).pk == pk
    for of_clinic in (
        intakes_of_clinic,
        followups_of_clinic,
        intake_links_of_clinic,
        responses_of_clinic,
    ):
        assert not of_clinic(outsider).exists()
        assert of_clinic(clinician).exists()


def test_the_patients_door_is_the_token_alone(personas) -> None:
    token = new_link(personas)
    patient = Actor(user=None, client_ip="203.0.113.9")
    assert get_link_by_token(patient, token).patient == personas.patient
    for wrong in ("", "x" * 43, token[:-1], token + "x", "x" * 101):
        with pytest.raises(LinkUnusable):
            get_link_by_token(patient, wrong)


# --- front desk --------------------------------------------------------------------------


def test_front_desk_gets_403_on_answers_and_clinic_settings(personas) -> None:
    intake, followup = submitted(personas)
    desk = personas.login(personas.desk, "en")
    for url in (
        reverse("intake:detail", args=[intake.pk]),
        reverse("intake:followup_detail", args=[followup.pk]),
        reverse("intake:settings"),
        reverse("intake:packs"),
    ):
        assert desk.get(url).status_code == 403, url
    assert desk.post(reverse("intake:settings"), {"expiry_hours": 1}).status_code == 403
    assert not AccessLogEntry.objects.filter(
        user=personas.desk, object_type__in=["intake.intake", "intake.followup"]
    ).exists()


def test_clinic_settings_are_the_admins_alone(personas) -> None:
    clinician = personas.login(personas.clinician, "en")
    assert clinician.get(reverse("intake:settings")).status_code == 403
    assert clinician.get(reverse("intake:packs")).status_code == 403
    admin = personas.login(personas.admin, "en")
    assert admin.get(reverse("intake:settings")).status_code == 200
    saved = admin.post(reverse("intake:settings"), {"instruments": ["nprs"], "expiry_hours": 24})
    assert saved.status_code == 302
    entry = AccessLogEntry.objects.get(object_type="intake.intakesettings")
    assert (entry.action, entry.user, entry.patient) == ("update", personas.admin, None)


def test_front_desk_sends_links_and_sees_only_the_status_on_the_chart(personas) -> None:
    chart_url = reverse("patients:chart", args=[personas.patient.pk])
    page = personas.login(personas.desk, "ko").get(chart_url).content.decode()
    assert 'data-status="not-done"' in page and "아직 안 함" in page
    assert reverse("intake:link_create", args=[personas.patient.pk]) in page
    intake, followup = submitted(personas)
    for language, done in (("en", "done ("), ("ko", "완료 (")):
        page = personas.login(personas.desk, language).get(chart_url).content.decode()
        assert 'data-status="done"' in page and done in page
        assert reverse("intake:link_create", args=[personas.patient.pk]) in page
        assert reverse("intake:followup_create", args=[personas.patient.pk]) in page
        # No answers, no scores, no link that would answer 403.
        assert SECRET not in page
        assert reverse("intake:detail", args=[intake.pk]) not in page
        assert reverse("intake:followup_detail", args=[followup.pk]) not in page
        assert 'id="section-outcomes"' not in page and "NPRS" not in page
    clinician_page = personas.login(personas.clinician, "en").get(chart_url).content.decode()
    assert reverse("intake:detail", args=[intake.pk]) in clinician_page
    assert 'id="section-outcomes"' in clinician_page


# --- draft steps in the access log ---------------------------------------------------------


def _draft_rows(link: IntakeLink) -> list[str]:
    return list(
        AccessLogEntry.objects.filter(
            object_type="intake.intakelink", object_id=str(link.pk), action=Action.UPDATE
        )
        .order_by("id")
        .values_list("detail", flat=True)
    )


def test_each_draft_step_is_logged_once_per_link_and_the_submission_once(personas) -> None:
    token = new_link(personas)
    link = link_of(token)
    patient = Client()
    for n in range(5):  # typing: five autosaves of the same step
        assert autosave(token, "complaints", {"complaints": "neck" + "!" * n}, patient).status_code
    assert _draft_rows(link) == ["intake draft step: complaints"]
    autosave(token, "pain", {"pain_neck": "6"}, patient)
    autosave(token, "pain", {"pain_neck": "7"}, patient)
    # The same step again by the page's own form (no JavaScript): no new row either.
    patient.post(reverse("intake:fill", args=[token, "complaints"]), {"complaints": "neck"})
    assert _draft_rows(link) == ["intake draft step: complaints", "intake draft step: pain"]
    entry = AccessLogEntry.objects.filter(object_id=str(link.pk), action=Action.UPDATE).first()
    assert (entry.user, entry.patient, entry.clinic_id) == (
        None,
        personas.patient,
        personas.seoul.pk,
    )
    submitted_rows = AccessLogEntry.objects.filter(
        object_type="intake.intake", action=Action.CREATE
    )
    assert not submitted_rows.exists()
    assert patient.post(reverse("intake:submit", args=[token])).status_code == 302
    assert submitted_rows.count() == 1


def test_a_refused_autosave_logs_no_step(personas) -> None:
    token = new_link(personas)
    assert autosave(token, "pain", {"pain_neck": "11"}).status_code == 400
    assert _draft_rows(link_of(token)) == []


def test_the_patient_acts_without_a_user_even_on_a_clinic_device(personas) -> None:
    """ "Fill in now": the member of staff's browser, but the answers are the patient's."""
    clinician = personas.login(personas.clinician, "en")
    response = clinician.post(
        reverse("intake:followup_create", args=[personas.patient.pk]),
        {"instruments": ["nprs"], "fill_now": "1"},
    )
    token = response["Location"].split("/intake/p/")[1].split("/")[0]
    autosave(token, "questionnaires", {"q_nprs_q1": "4"}, clinician)
    assert clinician.post(reverse("intake:submit", args=[token])).status_code == 302
    link = link_of(token)
    rows = AccessLogEntry.objects.filter(
        object_type__in=["intake.intakelink", "intake.followup"],
        object_id__in=[str(link.pk), str(FollowUp.objects.get().pk)],
    )
    patient_rows = rows.exclude(detail="follow-up link created")
    assert patient_rows.count() == 2
    assert set(patient_rows.values_list("user", flat=True)) == {None}
