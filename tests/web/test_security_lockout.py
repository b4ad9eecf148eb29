"""Sign-in that holds: every attempt counts, per username and per address, even when 40 arrive at
once; a clinic admin sees and lifts their own staff's locks; the lock says nothing of who exists.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from atlaschart.accounts.models import SignInThrottle, User

LOCKED = "Too many failed sign-in attempts"


def sign_in(client: Client, username: str, password: str | None):
    """Post the sign-in form as a browser would (``None``: no password field at all)."""
    data = {"username": username}
    if password is not None:
        data["password"] = password
    return client.post(reverse("accounts:login"), data)


def test_an_empty_password_does_not_reset_the_count(personas) -> None:
    """The old trick: four wrong, one empty, repeated, never locked. Now the lock holds.

    Each round comes from another address, so it is the username's count that must hold.
    """
    locked = False
    for round_no in range(6):
        client = Client(REMOTE_ADDR=f"198.51.100.{round_no + 1}")
        for _ in range(4):
            sign_in(client, "clinician", "wrong")
        response = sign_in(client, "clinician", "")
        locked = locked or LOCKED in response.content.decode()
    assert locked
    client = Client(REMOTE_ADDR="198.51.100.99")
    response = sign_in(client, "clinician", personas.password)
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_submission_without_a_password_field_counts_too(personas) -> None:
    client = Client()
    for _ in range(5):
        sign_in(client, "clinician", None)
    assert LOCKED in sign_in(client, "clinician", personas.password).content.decode()


def test_the_lock_message_is_the_same_for_an_unknown_username(personas) -> None:
    pages = {}
    for name in ("clinician", "nobody-here"):
        client = Client(REMOTE_ADDR=f"198.51.100.{len(name)}")
        for _ in range(5):
            sign_in(client, name, "wrong")
        pages[name] = sign_in(client, name, "wrong").content.decode()
    errors = {
        name: re.search(r'<div class="errors".*?</div>', page, re.S) for name, page in pages.items()
    }
    assert errors["clinician"] and errors["nobody-here"]
    assert errors["clinician"].group(0) == errors["nobody-here"].group(0)
    assert LOCKED in errors["clinician"].group(0)


def test_one_address_trying_many_usernames_is_locked(personas, settings) -> None:
    settings.LOGIN_FAILURE_LIMIT_PER_IP = 8
    client = Client(REMOTE_ADDR="203.0.113.50")
    for i in range(8):
        sign_in(client, f"guess{i}", "wrong")
    # A username never tried before, and the right password: the address is spent.
    assert LOCKED in sign_in(client, "clinician", personas.password).content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not affected.
    other = Client(REMOTE_ADDR="203.0.113.51")
    assert sign_in(other, "clinician", personas.password).status_code == 302


def test_nul_and_broken_utf8_are_counted_not_crashed(personas) -> None:
    client = Client()
    bodies = [
        b"username=clin%00ician&password=wrong",
        b"username=%ED%A0%80clinician&password=%ED%A0%80",  # an encoded lone surrogate
        b"username=clinician&password=%00",
    ]
    for body in bodies:
        response = client.post(
            reverse("accounts:login"), body, content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 200
    assert SignInThrottle.objects.get(key__startswith="ip:").failures == len(bodies)


def test_the_admin_sees_and_lifts_a_lock_of_their_own_clinic(personas) -> None:
    for _ in range(5):
        sign_in(Client(REMOTE_ADDR="198.51.100.20"), "clinician", "wrong")
    for _ in range(5):
        sign_in(Client(REMOTE_ADDR="198.51.100.21"), "outsider", "wrong")
    admin = personas.login(personas.admin)
    page = admin.get(reverse("accounts:locks")).content.decode()
    assert "clinician" in page and "outsider" not in page
    row = SignInThrottle.objects.get(user=personas.clinician)
    other = SignInThrottle.objects.get(user=personas.outsider)
    # Another clinic's lock cannot be lifted from here.
    assert admin.post(reverse("accounts:lock_lift", args=[other.pk])).status_code == 404
    assert admin.post(reverse("accounts:lock_lift", args=[row.pk])).status_code == 302
    client = Client(REMOTE_ADDR="198.51.100.20")
    assert sign_in(client, "clinician", personas.password).status_code == 302
    assert LOCKED in sign_in(Client(), "outsider", personas.password).content.decode()


def test_only_a_clinic_admin_reaches_the_lock_page(personas) -> None:
    for user in (personas.clinician, personas.desk):
        client = personas.login(user)
        assert client.get(reverse("accounts:locks")).status_code == 403


def _parallel_wrong_attempts(n: int) -> int:
    """Send n wrong sign-ins at once; return how many reached the password check."""
    checked = 0
    lock = threading.Lock()
    original = User.check_password

    def counting_check(self, raw_password):
        nonlocal checked
        with lock:
            checked += 1
        return original(self, raw_password)

    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def attempt(i: int) -> None:
        try:
            client = Client(REMOTE_ADDR=f"10.0.{i // 250}.{i % 250 + 1}")
            barrier.wait(timeout=30)
            response = sign_in(client, "clinician", f"wrong-{i}")
            assert response.status_code == 200, response.status_code
        except BaseException as exc:  # reported by the test thread
            errors.append(exc)
        finally:
            connections.close_all()

    User.check_password = counting_check
    try:
        threads = [threading.Thread(target=attempt, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    finally:
        User.check_password = original
    assert not errors, errors[:3]
    return checked


# The test database of SQLite is in memory, which threads cannot share for writing; this runs the
# same race in a child process against a real SQLite file, as production has.
SQLITE_RACE = """
import django, os, sys
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from atlaschart.accounts.models import User
u = User(username="clinician"); u.set_password("right-password-1"); u.save()
sys.path.insert(0, os.environ["TESTS_DIR"])
from test_security_lockout import _parallel_wrong_attempts
print("checked", _parallel_wrong_attempts(40))
"""


def test_forty_parallel_wrong_attempts_on_a_sqlite_file(tmp_path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'race.sqlite3'}",
        "ATLASCHART_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "atlaschart.web.settings",
        "TESTS_DIR": os.path.dirname(__file__),
        "ALLOWED_HOSTS": "testserver",
    }
    result = subprocess.run(
        [sys.executable, "-c", SQLITE_RACE], env=env, capture_output=True, text=True, timeout=240
    )
    assert result.returncode == 0, result.stderr[-3000:]
    checked = int(result.stdout.split("checked")[-1])
    assert checked <= 5, result.stdout


@pytest.mark.django_db(transaction=True)
def test_forty_parallel_wrong_attempts_check_at_most_the_limit(personas, settings) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("SQLite: see test_forty_parallel_wrong_attempts_on_a_sqlite_file")
    checked = _parallel_wrong_attempts(40)
    assert checked <= settings.LOGIN_FAILURE_LIMIT
    row = SignInThrottle.objects.get(user=personas.clinician)
    assert row.failures == settings.LOGIN_FAILURE_LIMIT


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_forty_parallel_wrong_attempts_on_postgresql(personas, settings) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...)")
    checked = _parallel_wrong_attempts(40)
    assert checked <= settings.LOGIN_FAILURE_LIMIT


def test_the_lock_message_in_korean(personas) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="ko")
    for _ in range(5):
        sign_in(client, "clinician", "wrong")
    page = sign_in(client, "clinician", personas.password).content.decode()
    assert "로그인 실패가 너무 많습니다" in page and "관리자에게 잠금 해제를 요청하세요" in page


def test_ended_windows_are_forgotten(personas, settings) -> None:
    from datetime import timedelta

    from django.utils import timezone

    long_ago = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS + 60)
    SignInThrottle.objects.create(key="user:old", failures=3, window_started=long_ago)
    sign_in(Client(), "clinician", "wrong")
    assert not SignInThrottle.objects.filter(key="user:old").exists()
