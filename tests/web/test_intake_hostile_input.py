"""Hostile input to the anonymous intake pages, the wording packs, the exam forms and the safety
form: a clear message in the patient's or user's language, a 4xx, and nothing written.

Run on SQLite and PostgreSQL (PostgreSQL refuses ``\\u0000`` and lone surrogates in text, so a
value that slips past validation there is a 500, not a quiet row).
"""

from __future__ import annotations

import html
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from tests.factories.intake import CONSENT, answered, intake_link

from atlaschart.audit.models import AccessLogEntry
from atlaschart.exams.forms import FORMS
from atlaschart.exams.models import ExamRecord
from atlaschart.intake.models import IntakeLink, WordingPack
from atlaschart.safety.models import ScreenRecord

pytestmark = pytest.mark.django_db

DEEP = b"[" * 2000 + b"]" * 2000
HUGE_INT = "9" * 5000
#: (id, raw request body, English message, Korean message); every message comes from the page.
AUTOSAVE_BODIES = [
    ("deep-nesting", DEEP, "nested too deeply", "너무 깊습니다"),
    (
        "deep-nesting-in-fields",
        b'{"step": "complaints", "fields": {"complaints": ' + DEEP + b"}}",
        "nested too deeply",
        "너무 깊습니다",
    ),
    (
        "huge-integer",
        f'{{"step": "complaints", "fields": {{"complaints": {HUGE_INT}}}}}'.encode(),
        "too large",
        "너무 큰 숫자",
    ),
    (
        "400-digit-integer",
        ('{"step": "pain", "fields": {"pain_neck": ' + "7" * 400 + "}}").encode(),
        "too large",
        "너무 큰 숫자",
    ),
    (
        "infinite-float",
        b'{"step": "pain", "fields": {"pain_neck": 1e400}}',
        "too large",
        "너무 큰 숫자",
    ),
    ("nan", b'{"step": "pain", "fields": {"pain_neck": NaN}}', "finite", "유한하지 않은"),
    (
        "nul-in-text",
        b'{"step": "complaints", "fields": {"complaints": "neck\\u0000pain"}}',
        "cannot be stored",
        "저장할 수 없는",
    ),
    (
        "lone-surrogate-in-text",
        b'{"step": "complaints", "fields": {"complaints": "neck \\ud800 pain"}}',
        "cannot be stored",
        "저장할 수 없는",
    ),
    (
        "lone-surrogate-in-a-key",
        b'{"step": "complaints", "fields": {"\\udfff": "x"}}',
        "cannot be stored",
        "저장할 수 없는",
    ),
    (
        "nul-in-a-choice",
        b'{"step": "pain", "fields": {"pain_neck": "6\\u0000"}}',
        "cannot be stored",
        "저장할 수 없는",
    ),
    ("not-utf8", b'{"step": "complaints", "fields": {"complaints": "\xff\xfe"}}', "JSON", "JSON"),
    ("not-an-object", b"[1, 2, 3]", '"step"', '"step"'),
    ("fields-not-an-object", b'{"step": "pain", "fields": [1]}', '"step"', '"step"'),
    ("unknown-step", b'{"step": "../../etc", "fields": {}}', "Unknown step", "알 수 없는"),
    (
        "number-for-text",
        b'{"step": "complaints", "fields": {"complaints": 12}}',
        "expected a text",
        "텍스트여야",
    ),
    (
        "thousands-of-choices",
        json.dumps({"step": "pain", "fields": {"quality_neck": ["aching"] * 5000}}).encode(),
        "not a valid choice",
        "올바른 선택이",
    ),
    (
        "too-large",
        b'{"step": "complaints", "fields": {"complaints": "' + b"a" * 70_000 + b'"}}',
        "Too much data",
        "너무 많습니다",
    ),
]


def make_link(personas, language: str = "ko") -> tuple[IntakeLink, str]:
    link, token = intake_link(personas.desk, personas.patient, ["nprs"])
    answered(link, CONSENT, language)  # the patient agreed on the first step
    return link, token


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize(
    ("body", "english", "korean"),
    [case[1:] for case in AUTOSAVE_BODIES],
    ids=[case[0] for case in AUTOSAVE_BODIES],
)
def test_a_hostile_autosave_is_a_400_in_the_patients_language_and_saves_nothing(
    personas, body, english, korean, language
) -> None:
    link, token = make_link(personas, language)
    saved_before = (link.draft_saved_at, link.logged_steps)
    rows_before = AccessLogEntry.objects.count()
    response = Client().post(
        reverse("intake:autosave", args=[token]), data=body, content_type="application/json"
    )
    assert response.status_code == 400, response.content[:300]
    message = response.json()["error"]
    assert (english if language == "en" else korean) in message, message
    link.refresh_from_db()
    assert link.draft == CONSENT and (link.draft_saved_at, link.logged_steps) == saved_before
    assert AccessLogEntry.objects.count() == rows_before


#: Form posts of a step page (no JavaScript): raw urlencoded bodies.
STEP_POSTS = [
    ("nul-in-text", "complaints", b"complaints=neck%00pain", "cannot be stored", "저장할 수 없는"),
    ("nul-in-a-choice", "pain", b"pain_neck=6%00", "cannot be stored", "저장할 수 없는"),
    ("unknown-field", "complaints", b"x%00y=1", "Unknown field", "알 수 없는"),
    (
        "long-text",
        "complaints",
        b"complaints=" + b"a" * 2001,
        "at most 2000 characters",
        "2000자",
    ),
    (
        "not-a-choice",
        "pain",
        b"pain_neck=" + HUGE_INT.encode(),
        "not a valid choice",
        "올바른 선택이",
    ),
]


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize(
    ("step", "body", "english", "korean"),
    [case[1:] for case in STEP_POSTS],
    ids=[case[0] for case in STEP_POSTS],
)
def test_a_hostile_step_post_shows_the_message_and_saves_nothing(
    personas, step, body, english, korean, language
) -> None:
    link, token = make_link(personas, language)
    saved_before = (link.draft_saved_at, link.logged_steps)
    rows_before = AccessLogEntry.objects.count()
    response = Client().post(
        reverse("intake:fill", args=[token, step]),
        data=body,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert (english if language == "en" else korean) in page
    link.refresh_from_db()
    assert link.draft == CONSENT and (link.draft_saved_at, link.logged_steps) == saved_before
    assert AccessLogEntry.objects.count() == rows_before


def test_a_broken_utf8_form_post_is_stored_as_replacement_text_not_a_500(personas) -> None:
    """A lone surrogate cannot reach Django through a form post: the bytes of one (ED A0 80)
    are not UTF-8 and are decoded as U+FFFD, which every database stores."""
    link, token = make_link(personas)
    response = Client().post(
        reverse("intake:fill", args=[token, "complaints"]),
        data=b"complaints=neck%ED%A0%80pain",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 302
    link.refresh_from_db()
    assert "\ud800" not in link.draft["complaints"]


def _pack(**overrides: object) -> dict:
    pack = {
        "instrument": "ndi",
        "version": "vernon-1991",
        "language": "en",
        "title": "Neck questionnaire (test wording)",
        "items": {
            f"q{n}": {"text": f"Section {n}", "options": [f"s{n}-{k}" for k in range(6)]}
            for n in range(1, 11)
        },
    }
    pack.update(overrides)
    return pack


PACK_FILES = [
    ("deep-nesting", DEEP, "nested too deeply", "너무 깊습니다"),
    (
        "huge-integer",
        json.dumps(_pack()).replace('"vernon-1991"', HUGE_INT).encode(),
        "too large",
        "너무 큰 숫자",
    ),
    (
        "nul-in-the-title",
        json.dumps(_pack(title="Neck\u0000")).encode(),
        "cannot be stored",
        "저장할 수 없는",
    ),
    (
        "lone-surrogate-in-an-item",
        json.dumps(_pack()).replace("Section 3", "Section \\ud800").encode(),
        "cannot be stored",
        "저장할 수 없는",
    ),
    ("not-json", b'{"instrument": "ndi",', "line 1", "1행"),
    ("not-utf8", b"\xff\xfe\x00", "UTF-8", "UTF-8"),
]


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize(
    ("content", "english", "korean"),
    [case[1:] for case in PACK_FILES],
    ids=[case[0] for case in PACK_FILES],
)
def test_a_hostile_wording_pack_is_refused_in_the_users_language_and_nothing_is_stored(
    personas, content, english, korean, language
) -> None:
    client = personas.login(personas.admin, language)
    response = client.post(
        reverse("intake:packs"),
        {"file": SimpleUploadedFile("pack.json", content, content_type="application/json")},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert (english if language == "en" else korean) in page, page[:3000]
    assert not WordingPack.objects.exists()


def _numeric_fields() -> list[tuple[str, str]]:
    """One numeric field of each group of each exam form (all reflex grades share one rule, so
    ``reflex_biceps_left`` stands for them; likewise myotomes, clonus, angles ...)."""
    out = []
    for kind, form_class in FORMS.items():
        groups: set[str] = set()
        for name, field in form_class().fields.items():
            group = name.split("_")[0]
            if field.__class__.__name__ in ("IntegerField", "FloatField") and group not in groups:
                groups.add(group)
                out.append((kind, name))
    return out


NUMERIC_FIELDS = _numeric_fields()
HOSTILE_NUMBERS = [HUGE_INT, "-" + "9" * 400, "1e308", "1e400", "-1e400", "nan", "inf", "0x10"]


def _valid(kind: str) -> dict:
    """A complete, valid entry of each kind, so a hostile number reaches the core's rules."""
    from tests.factories.exams import NEURO, VALID, leg

    extra = {
        "neuro": NEURO,
        "leg_check": leg("pre", "right", 2),
        "fukuda": {
            "timing": "pre",
            "steps": 50,
            "rotation_deg": 30,
            "direction": "left",
            "displacement_cm": 40,
        },
        "blood_pressure": {"left_systolic": 120, "left_diastolic": 80, "left_pulse": 70},
    }
    return dict({**VALID, **extra}.get(kind, {}))


@pytest.mark.parametrize(
    ("kind", "name"), NUMERIC_FIELDS, ids=[f"{k}.{n}" for k, n in NUMERIC_FIELDS]
)
def test_hostile_numbers_in_every_exam_field_are_refused_and_nothing_is_saved(
    personas, kind, name
) -> None:
    client = personas.login(personas.clinician)
    url = reverse("exams:create", args=[personas.patient.pk, kind])
    for value in HOSTILE_NUMBERS:
        response = client.post(url, {**_valid(kind), name: value})
        assert response.status_code in (302, 400), (value, response.status_code)
        if response.status_code == 302:
            # Accepted only if the core found the number plausible; then it is stored as a
            # finite number that every later page can show.
            record = ExamRecord.objects.latest("id")
            assert client.get(reverse("exams:detail", args=[record.pk])).status_code == 200
            record.delete()
    assert not ExamRecord.objects.exists()


@pytest.mark.parametrize("value", HOSTILE_NUMBERS)
def test_hostile_blood_pressure_on_the_safety_form_is_refused(personas, value) -> None:
    client = personas.login(personas.clinician)
    response = client.post(
        reverse("safety:patient", args=[personas.patient.pk]),
        {"bp_systolic_mmhg": value, "bp_diastolic_mmhg": value},
    )
    assert response.status_code == 400
    assert not ScreenRecord.objects.exists()


@pytest.mark.parametrize("reason", ["fine\u0000", "x" * 5000])
def test_a_hostile_acknowledgement_reason_writes_nothing(personas, reason) -> None:
    from atlaschart.lib.actor import Actor
    from atlaschart.measure.safety import SCREENING_ITEMS
    from atlaschart.safety import services
    from atlaschart.safety.models import Acknowledgement

    answers = {item: False for item in SCREENING_ITEMS} | {"T1": "na", "T2": "na", "X5": True}
    record = services.record_screen(
        Actor.system(personas.clinician, via="test"), personas.patient, answers, "clinician"
    )
    client = personas.login(personas.clinician)
    response = client.post(
        reverse("safety:acknowledge", args=[record.pk]),
        {"rule": "X5", "action": "acknowledge", "reason": reason},
    )
    assert response.status_code == 302
    assert not Acknowledgement.objects.exists()


HUGE_ID = 10**40


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("exams:detail", "get"),
        ("safety:acknowledge", "post"),
        ("intake:detail", "get"),
        ("intake:followup_detail", "get"),
        ("safety:patient", "get"),
        ("intake:link_create", "post"),
        ("intake:followup_create", "get"),
    ],
)
def test_an_id_past_every_integer_column_is_a_404(personas, name, method) -> None:
    client = personas.login(personas.clinician)
    response = getattr(client, method)(reverse(name, args=[HUGE_ID]))
    assert response.status_code == 404


def test_a_huge_visit_id_on_the_exam_form_is_ignored_not_a_500(personas) -> None:
    client = personas.login(personas.clinician)
    url = reverse("exams:create", args=[personas.patient.pk, "palpation"])
    for visit in (str(HUGE_ID), "9" * 5000):
        assert client.get(url, {"visit": visit}).status_code in (200, 404)


@pytest.mark.parametrize(
    ("language", "step", "body", "expected"),
    [
        ("en", "complaints", b"complaints=neck%00pain", "Your complaint: contains a character"),
        ("ko", "complaints", b"complaints=neck%00pain", "주 호소: 저장할 수 없는 문자가"),
        ("en", "pain", b"pain_neck=11", "Where it hurts: not a valid choice."),
        ("en", "questionnaires", b"q_nprs_q1=11", "Numeric Pain Rating Scale (NPRS), question 1"),
        ("ko", "questionnaires", b"q_nprs_q1=11", "숫자 통증 척도(NPRS) 1번 문항"),
    ],
)
def test_a_refusal_names_the_question_not_the_fields_key(
    personas, language, step, body, expected
) -> None:
    _link, token = make_link(personas, language)
    response = Client().post(
        reverse("intake:fill", args=[token, step]),
        data=body,
        content_type="application/x-www-form-urlencoded",
    )
    alert = re.search(r'<div class="errors" role="alert"><p>(.*?)</p>', response.content.decode())
    assert response.status_code == 400 and alert is not None
    message = html.unescape(alert.group(1))
    assert expected in message
    assert not re.search(r"complaints|pain_neck|q_nprs", message)
