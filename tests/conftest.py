"""Shared fixtures: fast test settings and the named personas every web test uses.

Personas (cf. healthchecks' Alice/Bob/Charlie): in the Seoul clinic ``admin``, ``clinician`` and
``desk``; in the Busan clinic ``outsider``, a clinician who must never see Seoul's patients.
``personas.login(user)`` is the one way a test signs someone in::

    client = personas.login(personas.clinician)             # English
    client = personas.login(personas.clinician, "ko")       # Korean, saved on the account
    client = personas.login(personas.desk, browser_language="ko")  # Korean from the browser only
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from django.test import Client

    from atlaschart.accounts.models import User
    from atlaschart.clinics.models import Clinic
    from atlaschart.patients.models import Patient


@pytest.fixture(autouse=True)
def _fast_test_settings(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # The second factor is off for the suite's personas; tests of it turn it on
    # (tests/web/test_security_two_factor.py).
    settings.TWO_FACTOR_REQUIRED_ROLES = []
    from django.core.cache import cache

    cache.clear()


@dataclass
class Personas:
    seoul: Clinic
    busan: Clinic
    admin: User
    clinician: User
    desk: User
    outsider: User
    patient: Patient
    busan_patient: Patient
    password: str = ""

    def login(
        self,
        user: User,
        language: str | None = None,
        *,
        browser_language: str | None = None,
        **client_options: Any,
    ) -> Client:
        """A test client signed in as ``user`` (no password round trip; the sign-in pages have
        their own tests).

        ``language`` is saved on the account, as the language switch does: every client of that
        user reads in it from then on. ``browser_language`` is the browser's choice only (the
        language cookie), for a user with no saved language; without either, pages are English
        (``LANGUAGE_CODE``). ``client_options`` go to ``django.test.Client`` as they are: the
        address a request comes from (``REMOTE_ADDR="192.0.2.10"``), other request headers
        (``HTTP_ACCEPT_LANGUAGE="ko"``), ``enforce_csrf_checks=True``."""
        from django.test import Client

        if language is not None:
            user.language = language
            user.save(update_fields=["language"])
        client = Client(**client_options)
        client.force_login(user)
        if browser_language is not None:
            client.cookies["atlaschart_language"] = browser_language
        return client


PASSWORD = "correct-horse-battery-9"


@pytest.fixture
def personas(db: None) -> Personas:
    from atlaschart.accounts.models import Role, User
    from atlaschart.clinics.models import Clinic
    from atlaschart.patients.models import Patient, Sex

    seoul = Clinic.objects.create(name="서울 테스트 의원", slug="seoul")
    busan = Clinic.objects.create(name="Busan Test Clinic", slug="busan")

    def user(username: str, clinic: Any, role: str) -> Any:
        u = User(username=username, clinic=clinic, role=role)
        u.set_password(PASSWORD)
        u.save()
        return u

    patient = Patient.objects.create(
        clinic=seoul,
        chart_number="000001",
        name="김민준",
        name_latin="Minjun Kim",
        date_of_birth=date(1985, 3, 2),
        sex=Sex.MALE,
        phone="010-2345-6789",
    )
    busan_patient = Patient.objects.create(
        clinic=busan,
        chart_number="000001",
        name="권나연",
        name_latin="Nayeon Kwon",
        date_of_birth=date(1993, 11, 2),
        sex=Sex.FEMALE,
        phone="010-1212-3434",
    )
    return Personas(
        seoul=seoul,
        busan=busan,
        admin=user("admin", seoul, Role.CLINIC_ADMIN),
        clinician=user("clinician", seoul, Role.CLINICIAN),
        desk=user("desk", seoul, Role.FRONT_DESK),
        outsider=user("outsider", busan, Role.CLINICIAN),
        patient=patient,
        busan_patient=busan_patient,
        password=PASSWORD,
    )
