"""Sign-in, rate limiting, roles and the clinic admin's staff pages."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from atlaschart.accounts.models import User


def sign_in(client: Client, username: str, password: str):
    """Post the sign-in form as a browser would."""
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_a_clinician_can_sign_in_and_out(personas) -> None:
    client = Client()
    response = sign_in(client, "clinician", personas.password)
    assert response.status_code == 302
    assert client.get(reverse("patients:list")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("patients:list")).status_code == 302


def test_a_wrong_password_says_so_without_saying_which_part(personas) -> None:
    response = sign_in(Client(), "clinician", "wrong")
    assert "The username or password is not correct." in response.content.decode()


def test_sign_in_is_locked_after_five_failures_even_with_the_right_password(personas) -> None:
    client = Client(REMOTE_ADDR="198.51.100.7")
    for _ in range(5):
        sign_in(client, "clinician", "wrong")
    response = sign_in(client, "clinician", personas.password)
    assert response.status_code == 200
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_also_holds_from_another_address(personas) -> None:
    for _ in range(5):
        sign_in(Client(REMOTE_ADDR="198.51.100.7"), "clinician", "wrong")
    response = sign_in(Client(REMOTE_ADDR="203.0.113.9"), "clinician", personas.password)
    assert "Too many failed sign-in attempts" in response.content.decode()


def test_a_success_before_the_limit_resets_the_count(personas) -> None:
    client = Client()
    for _ in range(4):
        sign_in(client, "clinician", "wrong")
    assert sign_in(client, "clinician", personas.password).status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(4):
        sign_in(client, "clinician", "wrong")
    assert sign_in(client, "clinician", personas.password).status_code == 302


def test_password_change(personas) -> None:
    client = personas.login(personas.clinician)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": personas.password,
            "new_password1": "new-secret-phrase-42",
            "new_password2": "new-secret-phrase-42",
        },
    )
    assert response.status_code == 302
    personas.clinician.refresh_from_db()
    assert personas.clinician.check_password("new-secret-phrase-42")


def test_only_admins_manage_staff(personas) -> None:
    for user in (personas.clinician, personas.desk):
        assert personas.login(user).get(reverse("accounts:staff")).status_code == 403
    page = personas.login(personas.admin).get(reverse("accounts:staff")).content.decode()
    assert "clinician" in page and "outsider" not in page


def test_an_admin_adds_a_user_to_their_own_clinic(personas) -> None:
    response = personas.login(personas.admin).post(
        reverse("accounts:staff_create"),
        {
            "username": "newdoc",
            "display_name": "New Doc",
            "role": "clinician",
            "language": "ko",
            "is_active": "on",
            "password": "long-enough-password-7",
        },
    )
    assert response.status_code == 302
    created = User.objects.get(username="newdoc")
    assert created.clinic == personas.seoul
    assert created.check_password("long-enough-password-7")


def test_a_new_user_without_a_password_is_refused(personas) -> None:
    response = personas.login(personas.admin).post(
        reverse("accounts:staff_create"),
        {"username": "nopass", "role": "clinician", "is_active": "on"},
    )
    assert "A new user needs a password." in response.content.decode()
    assert not User.objects.filter(username="nopass").exists()


def test_an_admin_cannot_reach_another_clinics_user(personas) -> None:
    url = reverse("accounts:staff_edit", args=[personas.outsider.pk])
    assert personas.login(personas.admin).get(url).status_code == 404


def test_an_admin_cannot_demote_themself(personas) -> None:
    personas.login(personas.admin).post(
        reverse("accounts:staff_edit", args=[personas.admin.pk]),
        {"username": "admin", "role": "clinician", "is_active": "on"},
    )
    personas.admin.refresh_from_db()
    assert personas.admin.role == "admin"
