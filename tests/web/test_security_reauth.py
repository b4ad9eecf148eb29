"""Signing and exporting ask for the password again when the session last gave it long ago."""

from __future__ import annotations

import time

from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from atlaschart.accounts.reauth import AUTHENTICATED_AT_KEY


def long_ago(client: Client, minutes: int = 20) -> Client:
    """The signed-in ``client``, its session last given the password ``minutes`` ago."""
    session = client.session
    session[AUTHENTICATED_AT_KEY] = time.time() - minutes * 60
    session.save()
    return client


def test_signing_after_a_long_while_asks_for_the_password_first(personas) -> None:
    client = long_ago(personas.login(personas.clinician))
    for name in ("visits:sign", "visits:treatment_sign", "safety:acknowledge"):
        response = client.post(
            reverse(name, args=[999999]), HTTP_REFERER="http://testserver/visits/7/"
        )
        assert response.status_code == 302, name
        assert response.headers["Location"].startswith(reverse("accounts:reauth")), name
        assert "next=/visits/7/" in response.headers["Location"].replace("%2F", "/")


def test_exporting_after_a_long_while_asks_too_and_then_goes_on(personas) -> None:
    client = long_ago(personas.login(personas.admin))
    url = reverse("audit:export")
    response = client.get(url)
    assert response.headers["Location"].startswith(reverse("accounts:reauth"))
    wrong = client.post(
        reverse("accounts:reauth") + "?next=" + url, {"password": "wrong", "next": url}
    )
    assert wrong.status_code == 400 and "The password is not correct." in wrong.content.decode()
    right = client.post(
        reverse("accounts:reauth") + "?next=" + url, {"password": personas.password, "next": url}
    )
    assert right.status_code == 302 and right.headers["Location"] == url
    assert client.get(url).status_code == 200


def test_a_fresh_sign_in_needs_no_second_password(personas) -> None:
    client = Client()
    client.post(reverse("accounts:login"), {"username": "admin", "password": personas.password})
    assert client.get(reverse("audit:export")).status_code == 200


def test_wrong_passwords_on_the_confirm_page_count_towards_the_lock(personas) -> None:
    client = long_ago(personas.login(personas.clinician))
    for _ in range(5):
        client.post(reverse("accounts:reauth"), {"password": "wrong"})
    page = client.post(reverse("accounts:reauth"), {"password": personas.password})
    assert "Too many failed sign-in attempts" in page.content.decode()
    assert "Too many failed sign-in attempts" in (
        Client()
        .post(reverse("accounts:login"), {"username": "clinician", "password": personas.password})
        .content.decode()
    )


def test_with_an_authenticator_the_code_is_asked_too(personas) -> None:
    device = TOTPDevice.objects.create(user=personas.clinician, name="phone", confirmed=True)
    client = long_ago(personas.login(personas.clinician))
    session = client.session
    session["otp_device_id"] = device.persistent_id  # this session passed its second factor
    session.save()
    page = client.get(reverse("accounts:reauth")).content.decode()
    assert 'name="code"' in page
    response = client.post(reverse("accounts:reauth"), {"password": personas.password})
    assert response.status_code == 400


def test_the_confirm_page_in_korean(personas) -> None:
    client = long_ago(personas.login(personas.clinician, "ko"))
    page = client.get(reverse("accounts:reauth")).content.decode()
    assert "본인 확인" in page
