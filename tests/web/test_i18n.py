"""English and Korean: every marked string has a Korean translation, and Korean pages render."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from atlaschart.web import i18n_tools


def test_every_marked_string_has_a_korean_translation() -> None:
    missing = i18n_tools.missing_translations()
    assert missing == [], "run `atlaschart i18n update` and translate:\n" + "\n".join(missing)


def test_the_extractor_finds_template_and_python_strings() -> None:
    # Guard for the test above: it must see strings of both kinds, or it proves nothing.
    messages = {m.msgid for m in i18n_tools.messages_of_app(i18n_tools.PACKAGE_DIR / "patients")}
    assert "Nothing recorded yet." in messages  # {% translate %} in a template
    assert "The date of birth cannot be in the future." in messages  # _() in forms.py
    assert "Edit %(name)s" in messages  # {% blocktranslate with %}


def test_a_literal_percent_in_a_template_is_extracted_as_django_looks_it_up(tmp_path) -> None:
    """Django's template tags look "30%" up as "30%%"; a catalogue entry "30%" is never used."""
    from django.template import Context, Template
    from django.utils import translation

    page = tmp_path / "page.html"
    page.write_text(
        '{% load i18n %}{% translate "More than 30% better" %}'
        "{% blocktranslate %}Up 50% at {{ day }}{% endblocktranslate %}",
        encoding="utf-8",
    )
    found = {m.msgid for m in i18n_tools._template_messages(page)}
    assert found == {"More than 30%% better", "Up 50%% at %(day)s"}
    # What Django itself asks the catalogue for, to prove the expectation above.
    asked: list[str] = []
    real = translation.gettext

    def spy(message: str) -> str:
        asked.append(str(message))
        return real(message)

    import django.templatetags.i18n as tags

    original = tags.translation.gettext
    try:
        tags.translation.gettext = spy
        Template(page.read_text(encoding="utf-8")).render(Context({"day": "Monday"}))
    finally:
        tags.translation.gettext = original
    assert "Up 50%% at %(day)s" in asked


def test_a_korean_users_chart_is_in_korean(personas) -> None:
    client = personas.login(personas.clinician, "ko")
    page = client.get(reverse("patients:chart", args=[personas.patient.pk])).content.decode()
    assert 'lang="ko"' in page
    for korean in (
        "생년월일",
        "차트 번호",
        "안전 선별검사",
        "자세",
        "아직 기록이 없습니다.",
        "로그아웃",
    ):
        assert korean in page


def test_the_language_switch_is_remembered_on_the_account(personas) -> None:
    client = personas.login(personas.clinician)
    client.post(reverse("accounts:set_language"), {"language": "ko", "next": "/patients/"})
    personas.clinician.refresh_from_db()
    assert personas.clinician.language == "ko"
    other_device = personas.login(personas.clinician)
    assert "환자" in other_device.get(reverse("patients:list")).content.decode()


def test_the_language_switch_refuses_foreign_redirects(personas) -> None:
    response = Client().post(
        reverse("accounts:set_language"), {"language": "ko", "next": "https://evil.example/"}
    )
    assert response.url == "/"


def test_the_login_page_follows_the_language_cookie() -> None:
    client = Client()
    client.post(reverse("accounts:set_language"), {"language": "ko", "next": "/accounts/login/"})
    assert "AtlasChart 로그인" in client.get(reverse("accounts:login")).content.decode()
