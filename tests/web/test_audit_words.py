"""The access log reads in the clinic's language: model names and details are words, not keys.

The stored rows stay as the services wrote them (hash-chained); only the pages translate.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from atlaschart.audit.describe import PATTERNS, PHRASES, describe
from atlaschart.audit.models import AccessLogEntry

SRC = Path(__file__).resolve().parents[2] / "src" / "atlaschart"


def entry(detail: str, object_type: str = "", action: str = "view") -> AccessLogEntry:
    return AccessLogEntry(detail=detail, object_type=object_type, action=action)


# (object_type, detail, action) -> (Korean what, Korean detail, English what, English detail)
TABLE = [
    (
        ("patients.patient", "fields: name, phone", "update"),
        ("환자", "변경 항목: 이름, 전화번호", "patient", "changed: name, phone"),
    ),
    (
        ("patients.patient", "search: 김", "list"),
        ("환자", "검색: 김", "patient", "search: 김"),
    ),
    (
        ("visits.appointment", "status arrived", "update"),
        ("예약", "상태: 도착", "appointment", "status: Arrived"),
    ),
    (
        ("patients.patient", "exam form leg_check", "view"),
        ("환자", "검사 양식: 다리 길이 검사", "patient", "exam form: Leg length check"),
    ),
    (
        ("exams.examrecord", "exam neuro pre", "create"),
        (
            "검사 기록",
            "검사: 신경학적 검사, 교정 전",
            "exam record",
            "exam: Neurological examination, Before the adjustment",
        ),
    ),
    (
        ("visits.consentrecord", "consent manual_therapy", "create"),
        ("동의 기록", "동의: 도수치료", "consent record", "consent: Manual therapy"),
    ),
    (
        ("intake.intakelink", "intake draft step: pain", "update"),
        (
            "초진 설문 링크",
            "문진 작성 중 저장: 아픈 곳",
            "intake link",
            "intake draft saved: Where it hurts",
        ),
    ),
    (
        ("", "GET /patients/3/", "denied"),
        ("", "거부됨: GET /patients/3/", "", "refused: GET /patients/3/"),
    ),
    (
        ("visits.visit", "treatment uc_adjustment", "create"),
        ("내원 기록", "치료: 상부 경추 교정", "visit", "treatment: Upper cervical adjustment"),
    ),
    (
        ("intake.intake", "safety screen", "view"),
        ("문진", "안전 선별검사", "intake", "safety screen"),
    ),
    (
        # English shows "None found" after a dash: after a colon it would read as Python's None.
        ("safety.screenrecord", "safety screen (clinician): none-found", "create"),
        (
            "안전 선별검사",
            "안전 선별검사 (임상가 입력): 발견되지 않음",
            "safety screen",
            "safety screen (clinician entry) — None found",
        ),
    ),
    (
        # The finding's input key (V6:smoking) becomes its table item, as the screen shows it.
        ("safety.screenrecord", "acknowledge V6:smoking (W)", "update"),
        (
            "안전 선별검사",
            "선별 항목 V6 혈관 위험 요인 확인함(차단 유지): 주의(W)",
            "safety screen",
            "finding V6 Vascular risk factors acknowledged (block stands): Precaution (W)",
        ),
    ),
    (
        ("patients.patient", "calendar week", "list"),
        ("환자", "예약 달력 (주간)", "patient", "calendar (week)"),
    ),
    (
        ("", "access log CSV 2026-10-01..2026-10-31; reason: 점검", "export"),
        (
            "",
            "접근 기록 CSV 2026-10-01 ~ 2026-10-31, 사유: 점검",
            "",
            "access log CSV 2026-10-01 to 2026-10-31; reason: 점검",
        ),
    ),
]


@pytest.mark.parametrize(("stored", "shown"), TABLE, ids=[t[0][1] for t in TABLE])
def test_known_details_read_in_korean_and_english(stored, shown) -> None:
    object_type, detail, action = stored
    ko_what, ko_detail, en_what, en_detail = shown
    for lang, what, text in (("ko", ko_what, ko_detail), ("en", en_what, en_detail)):
        with translation.override(lang):
            got_what, got_detail = describe(entry(detail, object_type, action))
        assert (got_what, got_detail.text, got_detail.recorded) == (what, text, False), lang


@pytest.mark.parametrize(
    "stored",
    [
        ("patients.patient", "mystery words"),  # a phrase no table knows
        ("patients.patient", "status teleported"),  # a known shape with an unknown value
        ("patients.patient", "fields: shoe_size"),  # a field the model does not have
        ("", "GET /patients/3/"),  # a request line, but not on a refused entry
    ],
)
def test_an_unknown_detail_is_shown_as_recorded_never_guessed(stored) -> None:
    object_type, detail = stored
    with translation.override("ko"):
        _what, shown = describe(entry(detail, object_type))
    assert (shown.text, shown.recorded) == (detail, True)


def test_a_label_no_model_has_is_a_generic_word_not_the_label() -> None:
    with translation.override("ko"):
        assert describe(entry("", "gone.model")).what == "기록"
    with translation.override("en"):
        assert describe(entry("", "gone.model")).what == "record"
        assert describe(entry("", "")).what == ""


def _written_phrases() -> set[str]:
    """Every plain-string detail the code writes (f-strings are the PATTERNS' job)."""
    found: set[str] = set()
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r'detail=(?<!f)"([^"]*)"(?: if [^\n]* else "([^"]*)")?', text):
            found.update(p for p in m.groups() if p is not None)
    # The "fields: " prefix is joined with field names (a pattern), not a phrase of its own.
    return {p for p in found if not p.endswith(": ")}


def test_every_phrase_the_code_writes_has_words() -> None:
    phrases = _written_phrases()
    assert len(phrases) >= 60  # the scan found the services' phrases, not nothing
    missing = sorted(
        p for p in phrases if p not in PHRASES and not any(r.fullmatch(p) for r, _f in PATTERNS)
    )
    assert missing == []


def test_every_phrase_has_korean() -> None:
    with translation.override("ko"):
        untranslated = sorted(k for k, v in PHRASES.items() if str(v) == k and k.isascii())
    # CBCT and DICOM are what Korean clinics call them too.
    assert [k for k in untranslated if not k.startswith("CBCT")] == []


# ------------------------------------------------------------------- the pages, in Korean


# A browser that asks for Korean (its Accept-Language header), from a fixed address.
KOREAN_BROWSER = {"REMOTE_ADDR": "192.0.2.10", "HTTP_ACCEPT_LANGUAGE": "ko"}


class _TableText(HTMLParser):
    """The text inside <tbody> elements, one string per cell."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.cells: list[str] = []
        self.recorded = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "tbody":
            self.depth += 1
        elif self.depth and tag == "td":
            self.cells.append("")
        elif self.depth and tag == "q" and ("lang", "en") in attrs:
            self.recorded += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth and self.cells:
            self.cells[-1] += data


def table_cells(html: str) -> _TableText:
    parser = _TableText()
    parser.feed(html)
    return parser


APP_LABEL = re.compile(r"\b[a-z_]+\.[a-z_]+\b")
SNAKE_CASE = re.compile(r"\b[a-z]+_[a-z_]+\b")
ENGLISH_RUN = re.compile(r"\b[A-Za-z]{2,}[ ,:;]+[A-Za-z]{2,}\b")


def raw_words(html: str, names: list[str]) -> list[str]:
    cells = table_cells(html)
    found = []
    for cell in cells.cells:
        for name in names:
            cell = cell.replace(name, " ")
        # A refused request names the path asked for, exactly (URLs are not words).
        cell = re.sub(r"/\S*", " ", cell)
        found += [m.group() for r in (APP_LABEL, SNAKE_CASE, ENGLISH_RUN) for m in r.finditer(cell)]
    return found + ["<q lang=en>"] * cells.recorded


def a_busy_day(personas) -> None:
    """What a clinic does in a morning, through the real pages."""
    patient = personas.patient
    clinician, desk = (
        personas.login(personas.clinician, **KOREAN_BROWSER),
        personas.login(personas.desk, **KOREAN_BROWSER),
    )
    clinician.get(reverse("patients:chart", args=[patient.pk]))
    clinician.get(reverse("patients:list"), {"q": "민준"})
    desk.get(reverse("patients:edit", args=[patient.pk]))
    edited = desk.post(
        reverse("patients:edit", args=[patient.pk]),
        {
            "name": "김민준",
            "name_latin": "Minjun Kim",
            "date_of_birth": "1985-03-02",
            "sex": "male",
            "phone": "010-9999-0000",
            "preferred_language": "ko",
            "chart_number": "000001",
        },
    )
    assert edited.status_code == 302
    starts = (timezone.localtime() + timedelta(days=1)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    booked = desk.post(
        reverse("visits:book", args=[patient.pk]),
        {
            "clinician": personas.clinician.pk,
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "minutes": 30,
            "confirm": "on",
        },
    )
    assert booked.status_code == 302
    from atlaschart.visits.models import Appointment

    appointment = Appointment.objects.get(patient=patient)
    desk.post(reverse("visits:status", args=[appointment.pk]), {"status": "arrived"})
    clinician.get(reverse("exams:create", args=[patient.pk, "leg_check"]))
    # The front desk may not read exams: a refused attempt.
    assert desk.get(reverse("exams:create", args=[patient.pk, "leg_check"])).status_code == 403
    exported = personas.login(personas.admin, **KOREAN_BROWSER).post(
        reverse("audit:export"),
        {
            "date_from": timezone.localdate().isoformat(),
            "date_to": timezone.localdate().isoformat(),
            "reason": "보건소 점검",
        },
    )
    assert exported.status_code == 200
    b"".join(exported.streaming_content)


NAMES = ["김민준", "Minjun Kim", "clinician", "desk", "admin", "192.0.2.10"]


def test_the_korean_access_log_and_review_have_no_raw_keys(personas) -> None:
    a_busy_day(personas)
    stored = set(AccessLogEntry.objects.values_list("detail", flat=True))
    # The day left the usual keys in the stored rows (the pages must translate them) ...
    assert {"fields: phone", "status arrived", "search: 민준"} <= stored
    assert any(d.startswith("GET /") for d in stored)
    admin = personas.login(personas.admin, **KOREAN_BROWSER)
    log = admin.get(reverse("audit:access_log")).content.decode()
    review = admin.get(
        reverse("audit:review"), {"month": f"{timezone.localdate():%Y-%m}"}
    ).content.decode()
    # ... and the pages show words.
    assert "변경 항목: 전화번호" in log and "상태: 도착" in log and "검색: 민준" in log
    assert "거부됨: GET /" in review and "사유: 보건소 점검" in review
    assert raw_words(log, NAMES) == []
    assert raw_words(review, NAMES) == []


def test_the_export_keeps_the_stored_values_and_adds_the_words(personas) -> None:
    a_busy_day(personas)
    today = timezone.localdate().isoformat()
    response = personas.login(personas.admin, **KOREAN_BROWSER).post(
        reverse("audit:export"),
        {"date_from": today, "date_to": today, "reason": "보건소 정기 점검"},
    )
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    assert header[-2:] == ["대상 (풀이)", "내용 (풀이)"]
    by_detail = {r[8]: r for r in rows[1:]}
    assert by_detail["status arrived"][6] == "visits.appointment"
    assert by_detail["status arrived"][-2:] == ["예약", "상태: 도착"]
    assert by_detail["fields: phone"][-1] == "변경 항목: 전화번호"
