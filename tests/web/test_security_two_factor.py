"""Second factor: enrolment, verification at sign-in, recovery codes, the clinic's policy, an
admin's reset, and the demo exemption that holds only with DEBUG on.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from atlaschart.accounts.models import ClinicSecurityPolicy


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows now (or ``steps_ahead`` periods later)."""
    device.refresh_from_db()
    value = totp(
        device.bin_key,
        step=device.step,
        t0=device.t0 - steps_ahead * device.step,
        digits=device.digits,
        drift=device.drift,
    )
    return f"{value:0{device.digits}d}"


def sign_in(client: Client, username: str, password: str):
    """Post the sign-in form as a browser would."""
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def enrol(client: Client, user) -> list[str]:
    page = client.get(reverse("accounts:two_factor_enrol"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("accounts:two_factor_enrol"), {"code": code_for(device)})
    assert response.status_code == 200
    return re.findall(r"<li><code>([a-z0-9]+)</code></li>", response.content.decode())


@pytest.fixture
def admins_need_it(settings) -> None:
    settings.TWO_FACTOR_REQUIRED_ROLES = ["admin", "clinician"]


def test_a_required_user_must_enrol_before_any_page(personas, admins_need_it) -> None:
    client = Client()
    response = sign_in(client, "admin", personas.password)
    assert response.status_code == 302
    chart = client.get(reverse("patients:chart", args=[personas.patient.pk]))
    assert chart.status_code == 302 and "/accounts/two-factor/" in chart.headers["Location"]
    follow = client.get(chart.headers["Location"])
    assert "/accounts/two-factor/enrol/" in follow.headers["Location"]
    # A background request is refused outright, not answered with a page.
    assert client.post(reverse("patients:list")).status_code == 403
    page = client.get(reverse("accounts:two_factor_enrol")).content.decode()
    assert "<svg" in page and 'data-testid="manual-key"' in page
    codes = enrol(client, personas.admin)
    assert len(codes) == 10
    assert client.get(reverse("patients:chart", args=[personas.patient.pk])).status_code == 200


def test_sign_in_asks_for_the_code_and_refuses_a_wrong_one(personas, admins_need_it) -> None:
    first = Client()
    sign_in(first, "clinician", personas.password)
    enrol(first, personas.clinician)
    device = TOTPDevice.objects.get(user=personas.clinician, confirmed=True)

    client = Client()
    sign_in(client, "clinician", personas.password)
    response = client.get(reverse("patients:list"))
    assert "/accounts/two-factor/" in response.headers["Location"]
    assert "verify" in client.get(response.headers["Location"]).headers["Location"]
    wrong = client.post(reverse("accounts:two_factor_verify"), {"code": "000000"})
    assert wrong.status_code == 400
    assert client.get(reverse("patients:list")).status_code == 302
    device.throttle_reset()
    ok = client.post(
        reverse("accounts:two_factor_verify"),
        {"code": code_for(device, steps_ahead=1), "next": "/patients/"},
    )
    assert ok.status_code == 302 and ok.headers["Location"] == "/patients/"
    assert client.get(reverse("patients:list")).status_code == 200


def test_a_recovery_code_works_once(personas, admins_need_it) -> None:
    first = Client()
    sign_in(first, "clinician", personas.password)
    codes = enrol(first, personas.clinician)
    client = Client()
    sign_in(client, "clinician", personas.password)
    assert client.post(reverse("accounts:two_factor_verify"), {"code": codes[0]}).status_code == 302
    assert client.get(reverse("patients:list")).status_code == 200
    again = Client()
    sign_in(again, "clinician", personas.password)
    assert again.post(reverse("accounts:two_factor_verify"), {"code": codes[0]}).status_code == 400


def test_the_password_alone_cannot_replace_an_authenticator(personas, admins_need_it) -> None:
    first = Client()
    sign_in(first, "clinician", personas.password)
    enrol(first, personas.clinician)
    attacker = Client()
    sign_in(attacker, "clinician", personas.password)
    response = attacker.get(reverse("accounts:two_factor_enrol"))
    assert "verify" in response.headers["Location"]
    assert TOTPDevice.objects.filter(user=personas.clinician).count() == 1


def test_front_desk_is_optional_by_default_and_the_clinic_can_require_it(
    personas, admins_need_it
) -> None:
    desk = Client()
    sign_in(desk, "desk", personas.password)
    assert desk.get(reverse("patients:list")).status_code == 200
    admin = Client()
    sign_in(admin, "admin", personas.password)
    enrol(admin, personas.admin)
    response = admin.post(
        reverse("accounts:security_policy"),
        {"two_factor_admin": "on", "two_factor_clinician": "on", "two_factor_front_desk": "on"},
    )
    assert response.status_code == 302
    assert ClinicSecurityPolicy.objects.get(clinic=personas.seoul).two_factor_front_desk
    desk = Client()
    sign_in(desk, "desk", personas.password)
    assert desk.get(reverse("patients:list")).status_code == 302


def test_a_clinic_policy_can_drop_the_requirement(personas, admins_need_it) -> None:
    ClinicSecurityPolicy.objects.create(clinic=personas.seoul, two_factor_clinician=False)
    client = Client()
    sign_in(client, "clinician", personas.password)
    assert client.get(reverse("patients:list")).status_code == 200
    outsider = Client()  # Busan has no policy of its own: the setting applies
    sign_in(outsider, "outsider", personas.password)
    assert outsider.get(reverse("patients:list")).status_code == 302


def test_only_the_admin_changes_the_policy(personas) -> None:
    for user in (personas.clinician, personas.desk):
        client = personas.login(user)
        assert client.get(reverse("accounts:security_policy")).status_code == 403


def test_the_admin_resets_a_lost_phone_only_in_their_own_clinic(personas, admins_need_it) -> None:
    first = Client()
    sign_in(first, "clinician", personas.password)
    enrol(first, personas.clinician)
    TOTPDevice.objects.create(user=personas.outsider, name="x", confirmed=True)
    admin = personas.login(personas.admin)
    session = admin.session
    from atlaschart.accounts.two_factor import NEEDS_SECOND_FACTOR_KEY

    session[NEEDS_SECOND_FACTOR_KEY] = False
    session.save()
    url = reverse("accounts:staff_two_factor_reset", args=[personas.outsider.pk])
    assert admin.post(url).status_code == 404
    assert TOTPDevice.objects.filter(user=personas.outsider).exists()
    url = reverse("accounts:staff_two_factor_reset", args=[personas.clinician.pk])
    assert admin.post(url).status_code == 302
    assert not TOTPDevice.objects.filter(user=personas.clinician).exists()
    client = Client()
    sign_in(client, "clinician", personas.password)
    follow = client.get(client.get(reverse("patients:list")).headers["Location"])
    assert "enrol" in follow.headers["Location"]


def test_demo_clinics_skip_it_only_with_debug(personas, admins_need_it, settings) -> None:
    personas.seoul.slug = "seoul-demo"
    personas.seoul.save()
    settings.DEBUG = True
    client = Client()
    sign_in(client, "clinician", personas.password)
    assert client.get(reverse("patients:list")).status_code == 200
    settings.DEBUG = False
    client = Client()
    sign_in(client, "clinician", personas.password)
    assert client.get(reverse("patients:list")).status_code == 302


def test_the_enrolment_page_in_korean(personas, admins_need_it) -> None:
    personas.admin.language = "ko"
    personas.admin.save()
    client = Client()
    sign_in(client, "admin", personas.password)
    page = client.get(reverse("accounts:two_factor_enrol")).content.decode()
    assert "2단계 인증 설정" in page and "QR 코드를 스캔" in page
