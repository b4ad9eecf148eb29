"""Three layout and notice fixes seen in Korean on a phone:

- the header with a long clinic name keeps the language switch whole and labelled (the name is
  cut short in the summary and shown whole inside the user menu);
- the API token list names each value on the phone's cards (``data-label``, the pattern of the
  other list tables);
- a finished job whose result is a download shows its notice on the progress page, not as a
  message on whatever page the user opens next.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from atlaschart.fhir.tokens import make_token
from atlaschart.jobs import services as jobs
from atlaschart.jobs.models import Job
from atlaschart.lib.actor import Actor

pytestmark = pytest.mark.django_db

LONG_NAME = "서울 척추 재활의학과 · 상부경추 카이로프랙틱 의원"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


class Elements(HTMLParser):
    """Every start tag as (tag, attributes, text inside it up to its end tag)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str], list[str]]] = []
        self._open: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        text: list[str] = []
        self.found.append((tag, {k: v or "" for k, v in attrs}, text))
        if tag not in {"input", "meta", "link", "br", "img"}:
            self._open.append(text)

    def handle_endtag(self, tag: str) -> None:
        if self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for text in self._open:
            text.append(data)


def elements(html: str) -> list[tuple[str, dict[str, str], str]]:
    parser = Elements()
    parser.feed(html)
    return [(tag, attrs, " ".join("".join(text).split())) for tag, attrs, text in parser.found]


def with_class(html: str, name: str) -> list[tuple[str, dict[str, str], str]]:
    return [e for e in elements(html) if name in e[1].get("class", "").split()]


def css_rule(selector: str) -> str:
    """The declarations of ``selector``'s first rule outside any @media block."""
    path = finders.find("web/atlaschart.css")
    assert path, "the stylesheet is found"
    text = re.sub(r"/\*.*?\*/", "", Path(str(path)).read_text(encoding="utf-8"), flags=re.S)
    outside_media = re.sub(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", "", text)
    found = re.search(r"(?:^|\})\s*" + re.escape(selector) + r"\s*\{([^}]*)\}", outside_media)
    assert found, f"{selector} has a rule"
    return found.group(1)


# The header -----------------------------------------------------------------------------------


def test_the_language_switch_is_a_labelled_group_beside_a_long_clinic_name(personas) -> None:
    personas.seoul.name = LONG_NAME
    personas.seoul.save()
    client = personas.login(personas.admin, "ko")
    page = client.get(reverse("visits:today")).content.decode()
    (switch,) = with_class(page, "lang-switch")
    assert switch[1].get("role") == "group" and switch[1].get("aria-label") == "언어"
    assert "한국어" in switch[2] and "English" in switch[2]
    (clinic,) = with_class(page, "usermenu-clinic")
    assert clinic[1].get("title") == LONG_NAME and LONG_NAME in clinic[2]
    # The summary may end in "…" on a phone: the menu itself names the clinic in full.
    (body,) = with_class(page, "usermenu-body")
    assert LONG_NAME in body[2]


def test_the_stylesheet_shrinks_the_clinic_name_not_the_language_switch() -> None:
    assert "flex: none" in css_rule(".lang-switch")
    assert "min-width: 0" in css_rule(".topbar-end")
    assert "min-width: 0" in css_rule(".usermenu")
    clinic = css_rule(".usermenu-clinic")
    assert "text-overflow: ellipsis" in clinic and "white-space: nowrap" in clinic


# The API token cards --------------------------------------------------------------------------


def test_each_token_value_is_labelled_for_the_phone_cards(personas) -> None:
    actor = Actor.system(personas.admin, via="test")
    make_token(actor, "지역 재활 등록 연구", "연구 협약에 따른 읽기 전용 연결")
    client = personas.login(personas.admin, "ko")
    page = client.get(reverse("fhir_tokens:list")).content.decode()
    found = elements(page)
    headings = [text for tag, _attrs, text in found if tag == "th"]
    assert headings[:6] == ["이름", "용도", "앞부분", "발급", "마지막 사용", "상태"]
    cells = [(attrs, text) for tag, attrs, text in found if tag == "td"]
    assert len(cells) == 7  # one token: six values and the revoke button
    # Each value carries its column's heading (atlaschart.css writes it before the value on a
    # phone, where the heading row is hidden); the button needs none.
    assert [attrs.get("data-label") for attrs, _text in cells[:6]] == headings[:6]
    assert cells[0][1] == "지역 재활 등록 연구"
    assert "data-label" not in cells[6][0] and "폐기" in cells[6][1]


# A download's notice ----------------------------------------------------------------------------

READY = {
    "fhir": "기록을 받으실 준비가 되었습니다.",
    "report": "보고서가 준비되었습니다.",
}


def _ask_fhir(client: Client, patient_id: int) -> Any:
    form = client.get(reverse("fhir_export:download", args=[patient_id])).content.decode()
    key = re.search(r'name="request_key" value="([^"]+)"', form)
    assert key
    return client.post(
        reverse("fhir_export:download", args=[patient_id]),
        {"reason": "환자 본인이 기록 사본을 요청함", "request_key": key.group(1)},
    )


def _ask_report(client: Client, patient_id: int) -> Any:
    return client.post(reverse("reports:patient", args=[patient_id]), {"lang": "ko"})


ASK = {"fhir": _ask_fhir, "report": _ask_report}


def _downloaded(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    if response.streaming:
        b"".join(response.streaming_content)


@pytest.mark.parametrize("kind", ["fhir", "report"])
def test_a_downloads_notice_is_on_the_progress_page_not_the_next_page(
    personas, monkeypatch, kind
) -> None:
    sent: list[int] = []
    monkeypatch.setattr(jobs, "dispatch", sent.append)  # the job waits, as for a worker
    client = personas.login(personas.clinician, "ko")
    response = ASK[kind](client, personas.patient.pk)
    job = Job.objects.get(pk=sent[0])
    assert response["Location"] == f"/jobs/{job.pk}/"
    page = client.get(response["Location"]).content.decode()
    (notice,) = with_class(page, "job-notice")
    assert "hidden" in notice[1] and notice[2] == ""  # progress.js fills it in
    jobs.run_job(job.pk)

    status = client.get(f"/jobs/{job.pk}/status").json()
    assert status["state"] == "done" and status["result_url"]
    assert status["notice"] == READY[kind] and status["notice_level"] == "success"
    _downloaded(client, status["result_url"])  # the browser stays on the progress page
    again = client.get(f"/jobs/{job.pk}/status").json()
    assert "notice" not in again  # once
    chart = client.get(reverse("patients:chart", args=[personas.patient.pk])).content.decode()
    assert READY[kind] not in chart


@pytest.mark.parametrize("kind", ["fhir", "report"])
def test_without_javascript_a_download_leaves_no_notice_for_the_next_page(personas, kind) -> None:
    client = personas.login(personas.clinician, "ko")
    response = ASK[kind](client, personas.patient.pk)  # run at once: no worker in tests
    progress = client.get(response["Location"])
    assert progress.status_code == 302
    _downloaded(client, progress["Location"])
    chart = client.get(reverse("patients:chart", args=[personas.patient.pk])).content.decode()
    assert READY[kind] not in chart
