"""Browser hardening: CSP without inline script, Permissions-Policy, no-store for signed-in
pages, SSL redirect and HSTS under HTTPS=1, idle timeout, passwords unlike the username, and
``next`` kept on this site.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from atlaschart.accounts.models import ClinicSecurityPolicy, User
from atlaschart.lib.http import LAST_SEEN_KEY

SRC = Path(__file__).resolve().parents[2] / "src" / "atlaschart"


def directives(header: str) -> dict[str, list[str]]:
    parts = [p.strip().split() for p in header.split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


def test_every_page_has_a_csp_without_inline_script(personas) -> None:
    for client, url in [
        (Client(), reverse("accounts:login")),
        (personas.login(personas.clinician), reverse("patients:list")),
    ]:
        response = client.get(url)
        policy = directives(response.headers["Content-Security-Policy"])
        assert "'unsafe-inline'" not in policy["script-src"]
        assert "'unsafe-eval'" not in policy["script-src"]
        assert policy["style-src"] == ["'self'"]
        # Only this site, plus the response's nonce where a page has an inline module.
        assert all(v == "'self'" or v.startswith("'nonce-") for v in policy["script-src"])
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["object-src"] == ["'none'"]


def test_no_template_has_an_inline_script_without_the_nonce_or_an_inline_handler() -> None:
    """Inline code is allowed only with the response's nonce; on*= handlers never run under CSP."""
    offending = []
    for template in SRC.glob("*/templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        for match in re.finditer(r"<script\b[^>]*>", text):
            tag = match.group(0)
            if "src=" not in tag and "csp_nonce" not in tag:
                offending.append(f"{template.relative_to(SRC)}: {tag}")
        for match in re.finditer(r"<[a-z][^>]*\son[a-z]+\s*=", text):
            offending.append(f"{template.relative_to(SRC)}: {match.group(0)[:60]}")
        if "javascript:" in text:
            offending.append(f"{template.relative_to(SRC)}: javascript: URL")
    assert not offending, offending


def test_no_template_has_an_inline_style() -> None:
    """style-src is 'self' only: a style= attribute or <style> element would be ignored."""
    offending = []
    for template in SRC.glob("*/templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        for match in re.finditer(r"<style\b|<[a-z][^>]*\sstyle\s*=", text):
            offending.append(f"{template.relative_to(SRC)}: {match.group(0)[:60]}")
    assert not offending, offending


def test_the_camera_is_allowed_only_on_the_posture_capture_page(personas) -> None:
    client = personas.login(personas.clinician)
    elsewhere = client.get(reverse("patients:list")).headers["Permissions-Policy"]
    assert "camera=()" in elsewhere and "microphone=()" in elsewhere
    capture = client.get(reverse("posture:session", args=[999999]))
    assert "camera=(self)" in capture.headers["Permissions-Policy"]


def test_pages_for_a_signed_in_user_are_not_stored(personas) -> None:
    client = personas.login(personas.clinician)
    for url in (
        reverse("patients:list"),
        reverse("patients:chart", args=[personas.patient.pk]),
        reverse("home"),
    ):
        response = client.get(url)
        assert response.headers["Cache-Control"] == "no-store", url


def test_https_turns_on_the_ssl_redirect_and_hsts_with_subdomains(tmp_path) -> None:
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    )
    env = {
        **os.environ,
        "HTTPS": "1",
        "DJANGO_SETTINGS_MODULE": "atlaschart.web.settings",
        "ATLASCHART_VAR_DIR": str(tmp_path),
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["True"] * 5


def test_the_ssl_redirect_and_hsts_headers(personas, settings) -> None:
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 3600
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    plain = Client().get(reverse("accounts:login"))
    assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")
    secure = Client().get(reverse("accounts:login"), secure=True)
    assert "includeSubDomains" in secure.headers["Strict-Transport-Security"]
    assert Client().get("/healthz").status_code != 301


def test_an_idle_session_ends_and_the_login_page_says_why(personas, settings) -> None:
    settings.SESSION_IDLE_MINUTES = 30
    client = personas.login(personas.clinician)
    assert client.get(reverse("patients:list")).status_code == 200
    session = client.session
    session[LAST_SEEN_KEY] = time.time() - 31 * 60
    session.save()
    response = client.get(reverse("patients:list"))
    assert response.status_code == 302 and "/accounts/login/" in response.headers["Location"]
    page = client.get(response.headers["Location"]).content.decode()
    assert "You were signed out after 30 minutes without activity" in page
    # Said once, then gone.
    assert "without activity" not in client.get(reverse("accounts:login")).content.decode()


def test_the_idle_message_in_korean(personas, settings) -> None:
    personas.clinician.language = "ko"
    personas.clinician.save()
    client = personas.login(personas.clinician)
    session = client.session
    session[LAST_SEEN_KEY] = time.time() - 31 * 60
    session.save()
    client.get(reverse("patients:list"))
    page = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "30분 동안 사용하지 않아 로그아웃되었습니다" in page


def test_activity_keeps_the_session(personas) -> None:
    client = personas.login(personas.clinician)
    session = client.session
    session[LAST_SEEN_KEY] = time.time() - 29 * 60
    session.save()
    assert client.get(reverse("patients:list")).status_code == 200


def test_the_session_ends_when_the_browser_closes(personas) -> None:
    client = Client()
    client.post(reverse("accounts:login"), {"username": "clinician", "password": personas.password})
    cookie = client.cookies["sessionid"]
    assert not cookie["max-age"] and not cookie["expires"]


def _create_staff(client: Client, username: str, password: str, display_name: str = ""):
    return client.post(
        reverse("accounts:staff_create"),
        {
            "username": username,
            "display_name": display_name,
            "role": "clinician",
            "is_active": "on",
            "password": password,
        },
    )


def test_a_password_like_the_username_or_name_is_refused(personas) -> None:
    admin = personas.login(personas.admin)
    for username, password, name in [
        ("parkjiwoo", "parkjiwoo", ""),
        ("parkjiwoo", "parkjiwoo1!", ""),
        ("drlee", "leeseoyeon88", "leeseoyeon"),
    ]:
        page = _create_staff(admin, username, password, name).content.decode()
        assert "too similar" in page, (username, password)
        assert not User.objects.filter(username=username).exists()
    assert _create_staff(admin, "parkjiwoo", "quiet-river-stone-42").status_code == 302


def test_a_password_like_the_username_is_refused_when_editing(personas) -> None:
    admin = personas.login(personas.admin)
    response = admin.post(
        reverse("accounts:staff_edit", args=[personas.clinician.pk]),
        {"username": "clinician", "role": "clinician", "is_active": "on", "password": "clinician1"},
    )
    assert "too similar" in response.content.decode()
    personas.clinician.refresh_from_db()
    assert personas.clinician.check_password(personas.password)


def test_next_never_leaves_the_site(personas) -> None:
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = Client().post(
            reverse("accounts:login") + "?next=" + target,
            {"username": "clinician", "password": personas.password, "next": target},
        )
        assert response.status_code == 302
        assert "evil" not in response.headers["Location"]
        response = Client().post(
            reverse("accounts:set_language"), {"language": "ko", "next": target}
        )
        assert "evil" not in response.headers["Location"]
    ok = Client().post(reverse("accounts:set_language"), {"language": "ko", "next": "/patients/"})
    assert ok.headers["Location"] == "/patients/"


def test_check_deploy_warns_when_a_clinic_drops_the_second_factor(personas, capsys) -> None:
    ClinicSecurityPolicy.objects.create(clinic=personas.seoul, two_factor_clinician=False)
    call_command("check", deploy=True, fail_level="CRITICAL")
    out = capsys.readouterr()
    text = out.out + out.err
    assert "atlaschart.W202" in text and "seoul" in text
