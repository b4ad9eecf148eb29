"""Intake links (expiry, reuse, isolation, logging), autosave, licensed wording, submission.

Expected values are worked out by hand from docs/instruments.md and docs/intake.md, never by calling
the code under test."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from tests.factories.intake import CONSENT, answered, intake_link

from atlaschart.audit.models import AccessLogEntry, Action
from atlaschart.intake import services
from atlaschart.intake.models import Intake, IntakeLink, QuestionnaireResponse, WordingPack
from atlaschart.safety.models import ScreenRecord

pytestmark = pytest.mark.django_db


def make_link(personas, instruments=("nprs",)) -> tuple[IntakeLink, str]:
    """A link the desk made, asking ``instruments``; the patient agreed on the first step."""
    link, token = intake_link(personas.desk, personas.patient, instruments)
    answered(link, CONSENT)
    return link, token


def ndi_pack(language: str = "en") -> dict:
    return {
        "instrument": "ndi",
        "version": "vernon-1991",
        "language": language,
        "title": "Neck questionnaire (test wording)",
        "items": {
            f"q{n}": {"text": f"Section {n}", "options": [f"s{n}-{k}" for k in range(6)]}
            for n in range(1, 11)
        },
    }


def autosave(client: Client, token: str, body: object, raw: bytes | None = None):
    data = raw if raw is not None else json.dumps(body).encode()
    return client.post(
        reverse("intake:autosave", args=[token]), data=data, content_type="application/json"
    )


# --- links ---------------------------------------------------------------------------------


def test_the_desk_gets_a_url_and_a_qr_code_and_only_a_hash_is_stored(personas) -> None:
    desk = personas.login(personas.desk)
    response = desk.post(reverse("intake:link_create", args=[personas.patient.pk]))
    page = response.content.decode()
    assert "<svg" in page and "/intake/p/" in page
    token = page.split("/intake/p/")[1].split("/")[0]
    assert len(token) >= 40  # 32 random bytes, base64url
    link = IntakeLink.objects.get(patient=personas.patient)
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in json.dumps(list(IntakeLink.objects.values()), default=str)
    # Default expiry is 72 hours (issue brief).
    assert link.expires_at - link.created_at == timedelta(hours=72)
    assert (
        AccessLogEntry.objects.filter(
            patient=personas.patient, action=Action.CREATE, object_type="intake.intakelink"
        ).count()
        == 1
    )


def test_the_patient_page_needs_no_login_and_speaks_the_patients_language(personas) -> None:
    _link, token = make_link(personas)
    page = Client().get(reverse("intake:fill", args=[token, "complaints"])).content.decode()
    assert 'lang="ko"' in page  # patient's preferred_language defaults to Korean
    page = (
        Client()
        .get(reverse("intake:fill", args=[token, "complaints"]) + "?lang=en")
        .content.decode()
    )
    assert 'lang="en"' in page and "What brings you to the clinic?" in page


def _assert_leaks_nothing(response, personas) -> None:
    assert response.status_code == 410
    body = response.content.decode()
    for secret in (
        personas.patient.name,
        "Minjun",
        personas.patient.chart_number,
        personas.seoul.name,
        "1985",
    ):
        assert secret not in body


def test_an_expired_link_shows_a_plain_page(personas) -> None:
    link, token = make_link(personas)
    # Past its expiry: a state no service makes (a link is created with the clinic's expiry).
    IntakeLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    client = Client()
    _assert_leaks_nothing(client.get(reverse("intake:fill", args=[token, "complaints"])), personas)
    assert autosave(client, token, {"step": "complaints", "fields": {}}).status_code == 410
    _assert_leaks_nothing(client.post(reverse("intake:submit", args=[token])), personas)


def test_a_used_link_cannot_be_reused_and_looks_like_an_unknown_one(personas) -> None:
    _link, token = make_link(personas)
    client = Client()
    assert client.post(reverse("intake:submit", args=[token])).status_code == 302
    assert Intake.objects.filter(patient=personas.patient).count() == 1
    again = client.post(reverse("intake:submit", args=[token]))
    _assert_leaks_nothing(again, personas)
    assert Intake.objects.count() == 1
    used = client.get(reverse("intake:fill", args=[token, "complaints"]))
    unknown = client.get(reverse("intake:fill", args=["x" * 43, "complaints"]))
    _assert_leaks_nothing(used, personas)
    assert used.content == unknown.content


def test_autosave_errors_speak_the_patients_language(personas) -> None:
    _link, token = make_link(personas)  # preferred language: Korean
    response = autosave(Client(), token, None, raw=b"{")
    assert response.status_code == 400
    assert response.json()["error"] == "데이터가 올바른 JSON 형식이 아닙니다."


def test_a_link_opens_nothing_else(personas) -> None:
    _link, token = make_link(personas)
    client = Client()
    client.get(reverse("intake:fill", args=[token, "complaints"]))
    # The link gives no session: the chart and the staff pages still ask for a login.
    chart = client.get(reverse("patients:chart", args=[personas.patient.pk]))
    assert chart.status_code == 302 and "/accounts/login/" in chart.url
    assert client.get(reverse("intake:detail", args=[1])).status_code == 302


def test_another_clinic_cannot_make_links_or_read_intakes(personas) -> None:
    _link, token = make_link(personas)
    Client().post(reverse("intake:submit", args=[token]))
    intake = Intake.objects.get()
    outsider = personas.login(personas.outsider)
    assert (
        outsider.post(reverse("intake:link_create", args=[personas.patient.pk])).status_code == 404
    )
    assert outsider.get(reverse("intake:detail", args=[intake.pk])).status_code == 404
    assert not AccessLogEntry.objects.filter(
        user=personas.outsider, patient=personas.patient
    ).exists()


def test_reading_an_intake_is_logged(personas) -> None:
    _link, token = make_link(personas)
    Client().post(reverse("intake:submit", args=[token]))
    intake = Intake.objects.get()
    assert (
        personas.login(personas.clinician)
        .get(reverse("intake:detail", args=[intake.pk]))
        .status_code
        == 200
    )
    assert (
        AccessLogEntry.objects.filter(
            user=personas.clinician,
            action=Action.VIEW,
            object_type="intake.intake",
            object_id=str(intake.pk),
        ).count()
        == 1
    )
    # The patient's submission is logged without a user.
    assert (
        AccessLogEntry.objects.filter(
            user=None, action=Action.CREATE, object_type="intake.intake"
        ).count()
        == 1
    )


# --- autosave and per-step submit --------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        pytest.param(b"{not json", "not valid JSON", id="broken-json"),
        pytest.param(b"\xff\xfe", "not valid JSON", id="not-utf8"),
        pytest.param(b"[1, 2]", '"step" and "fields"', id="array-not-object"),
        pytest.param(json.dumps({"step": "pain"}).encode(), '"step" and "fields"', id="no-fields"),
        pytest.param(
            json.dumps({"step": "nope", "fields": {}}).encode(), "Unknown step", id="bad-step"
        ),
        pytest.param(
            json.dumps({"step": "pain", "fields": {"pain_knee": "3"}}).encode(),
            "Unknown field",
            id="unknown-field",
        ),
        pytest.param(
            json.dumps({"step": "pain", "fields": {"pain_neck": "11"}}).encode(),
            "not a valid choice",
            id="intensity-above-10",
        ),
        pytest.param(
            json.dumps({"step": "pain", "fields": {"pain_neck": 5}}).encode(),
            "expected a text",
            id="number-not-text",
        ),
        pytest.param(
            json.dumps({"step": "complaints", "fields": {"complaints": "x" * 2001}}).encode(),
            "2000",
            id="text-too-long",
        ),
    ],
)
def test_bad_autosave_posts_are_a_400_with_a_message_and_save_nothing(
    personas, raw, fragment
) -> None:
    link, token = make_link(personas)
    # A draft of one answer and no consent: the services never keep that (health answers wait
    # for both consents), so it is put in directly; the test reads whether it stays as it was.
    IntakeLink.objects.filter(pk=link.pk).update(draft={"complaints": "kept"}, language="en")
    response = autosave(Client(), token, None, raw=raw)
    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False and fragment in body["error"]
    link.refresh_from_db()
    assert link.draft == {"complaints": "kept"}


def test_autosave_stores_the_draft_and_a_reload_restores_it(personas) -> None:
    link, token = make_link(personas)
    client = Client()
    response = autosave(
        client,
        token,
        {
            "step": "pain",
            "fields": {
                "pain_neck": "6",
                "quality_neck": ["aching", "tingling"],
                "posture_worse": "yes",
                "pain_low_back_left": "",
            },
        },
    )
    assert response.status_code == 200 and response.json()["ok"] is True
    link.refresh_from_db()
    assert link.draft == {
        **CONSENT,
        "pain_neck": "6",
        "quality_neck": ["aching", "tingling"],
        "posture_worse": "yes",
    }
    page = client.get(reverse("intake:fill", args=[token, "pain"])).content.decode()
    assert '<option value="6" selected>' in page
    assert 'value="tingling" checked' in page
    # Unticking a box replaces the step's answers: the box is gone from the draft.
    autosave(client, token, {"step": "pain", "fields": {"pain_neck": "6", "quality_neck": []}})
    link.refresh_from_db()
    assert link.draft == {**CONSENT, "pain_neck": "6"}


def test_without_javascript_each_step_posts_and_moves_on(personas) -> None:
    link, token = make_link(personas)
    response = Client().post(
        reverse("intake:fill", args=[token, "complaints"]),
        {
            "complaints": "목이 아파요",
            "duration": "gt12w",
            "go": "next",
        },
    )
    assert response.status_code == 302 and response.url.endswith("/pain/")
    link.refresh_from_db()
    assert link.draft == {**CONSENT, "complaints": "목이 아파요", "duration": "gt12w"}
    bad = Client().post(reverse("intake:fill", args=[token, "complaints"]), {"duration": "forever"})
    assert bad.status_code == 400 and "errors" in bad.content.decode()


# --- licensed wording ---------------------------------------------------------------------


def test_a_licensed_questionnaire_is_refused_without_the_clinics_wording(personas) -> None:
    _link, token = make_link(personas, instruments=("ndi",))
    page = (
        Client()
        .get(reverse("intake:fill", args=[token, "questionnaires"]) + "?lang=en")
        .content.decode()
    )
    assert "not available" in page
    assert 'name="q_ndi_q1"' not in page


def test_the_clinic_cannot_choose_a_licensed_questionnaire_before_uploading_its_wording(
    personas,
) -> None:
    admin = personas.login(personas.admin)
    response = admin.post(
        reverse("intake:settings"), {"instruments": ["nprs", "ndi"], "expiry_hours": 72}
    )
    assert (
        response.status_code == 400 and "Upload the wording file first" in response.content.decode()
    )
    # Nothing was saved: the clinic keeps the default (the free questionnaires).
    assert services.settings_for(personas.seoul.pk).instruments == ["nprs", "psfs", "start-back"]


def test_only_the_clinic_admin_reaches_the_wording_pages(personas) -> None:
    assert personas.login(personas.desk).get(reverse("intake:packs")).status_code == 403
    assert personas.login(personas.clinician).get(reverse("intake:settings")).status_code == 403


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        pytest.param(b"{oops", "not valid JSON (line 1, column 2)", id="bad-json"),
        pytest.param(b"\xff\xfe\x00", "not UTF-8", id="not-utf8"),
        pytest.param(
            json.dumps({**ndi_pack(), "version": "1989"}).encode(), "version", id="wrong-version"
        ),
        pytest.param(
            json.dumps({**ndi_pack(), "instrument": "nprs"}).encode(), "nprs", id="free-instrument"
        ),
        pytest.param(
            json.dumps(
                {
                    **ndi_pack(),
                    "items": {**ndi_pack()["items"], "q3": {"text": "x", "options": ["a", "b"]}},
                }
            ).encode(),
            "items.q3.options",
            id="item-3-has-2-of-6-options",
        ),
    ],
)
def test_a_bad_wording_file_is_refused_with_a_clear_message(personas, content, fragment) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("ndi.json", content, content_type="application/json")
    response = personas.login(personas.admin).post(reverse("intake:packs"), {"file": upload})
    assert response.status_code == 400
    assert fragment in response.content.decode()
    assert not WordingPack.objects.exists()


def test_a_bad_wording_file_is_explained_in_korean(personas) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    pack = ndi_pack()
    del pack["items"]["q10"]
    upload = SimpleUploadedFile("ndi.json", json.dumps(pack).encode())
    page = (
        personas.login(personas.admin, "ko")
        .post(reverse("intake:packs"), {"file": upload})
        .content.decode()
    )
    assert "items.q10" in page and "없습니다" in page


def test_with_the_wording_the_form_shows_and_scores_are_stored_with_version_and_language(
    personas,
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    admin = personas.login(personas.admin)
    upload = SimpleUploadedFile("ndi.json", json.dumps(ndi_pack("en")).encode())
    assert admin.post(reverse("intake:packs"), {"file": upload}).status_code == 302
    assert (
        admin.post(
            reverse("intake:settings"), {"instruments": ["nprs", "ndi"], "expiry_hours": 48}
        ).status_code
        == 302
    )
    _link, token = make_link(personas, instruments=("nprs", "ndi"))
    client = Client()
    page = client.get(reverse("intake:fill", args=[token, "questionnaires"])).content.decode()
    assert 'name="q_ndi_q1"' in page and "s1-5" in page  # the clinic's wording
    # The Korean page falls back to the only pack there is (English) and says so.
    assert "통증 점수" in page  # NPRS title in Korean, shipped with the core
    ndi = {f"q_ndi_q{n}": str(v) for n, v in enumerate([1, 2, 3, 0, 1, 2, 3, 0, 1, 2], start=1)}
    assert (
        autosave(
            client, token, {"step": "questionnaires", "fields": {"q_nprs_q1": "7", **ndi}}
        ).status_code
        == 200
    )
    client.post(reverse("intake:submit", args=[token]))
    rows = {r.instrument: r for r in QuestionnaireResponse.objects.filter(patient=personas.patient)}
    # NDI: sum 15 of 10 answered items -> 15 / (5 x 10) x 100 = 30 %, score 30 / 2 = 15 /50,
    # band 15-24 "moderate" (Vernon & Mior 1991 scoring, docs/instruments.md).
    assert (rows["ndi"].score, rows["ndi"].percent, rows["ndi"].band) == (15, 30, "moderate")
    assert (rows["ndi"].version, rows["ndi"].language) == ("vernon-1991", "en")
    assert rows["ndi"].answers["q3"] == 3
    # NPRS: the single item is the score.
    assert (rows["nprs"].score, rows["nprs"].language, rows["nprs"].version) == (
        7,
        "ko",
        "atlaschart-1",
    )
    assert rows["nprs"].algorithm == "instrument.nprs@atlaschart-1"


# --- submission runs the safety screen ------------------------------------------------------


def test_submitting_stores_a_read_only_intake_and_a_screen(personas) -> None:
    _link, token = make_link(personas)
    client = Client()
    autosave(client, token, {"step": "complaints", "fields": {"complaints": "두통"}})
    autosave(client, token, {"step": "safety", "fields": {"rf_V2": "yes", "rf_G2": "no"}})
    client.post(reverse("intake:submit", args=[token]))
    intake = Intake.objects.get()
    assert intake.answers["complaints"] == "두통" and intake.submitted_at is not None
    screen = ScreenRecord.objects.get(patient=personas.patient)
    # V2 "sudden, severe headache" is level E in the screen's rule table (docs/safety.md), the most
    # severe.
    assert screen.level == "E" and screen.intake_id == intake.pk
    rules = {f["rule"] for f in screen.findings}
    assert "V2" in rules
    # Items nobody answered are findings (fail closed): V1 here, and clinician item V4.
    assert {"incomplete:V1", "incomplete:V4"} <= rules
    assert "incomplete:G2" not in rules
    with pytest.raises(RuntimeError):
        intake.save()
