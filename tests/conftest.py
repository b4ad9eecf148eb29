"""Shared fixtures: fast test settings and the named personas every web test uses.

Personas (cf. healthchecks' Alice/Bob/Charlie): in the Seoul clinic ``admin``, ``clinician`` and
``desk``; in the Busan clinic ``outsider``, a clinician who must never see Seoul's patients.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest


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
    seoul: Any
    busan: Any
    admin: Any
    clinician: Any
    desk: Any
    outsider: Any
    patient: Any
    busan_patient: Any
    password: str = ""


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
