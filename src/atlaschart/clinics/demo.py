"""The demo clinics that ``make run`` loads once: two clinics, a user per role, ~20 patients, and
six of each clinic's patients at different stages of care (``demo_stories``).

Passwords are generated on first load and kept in ``var/demo_credentials.json`` (mode 600) so a
second run can print them again without changing anything; so are the secrets the services show
only once (the partner API token, the clinician's calendar address). Demo data only: never load
it into a clinic's real database.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction

from atlaschart.accounts.models import Role, User
from atlaschart.clinics import demo_imaging
from atlaschart.clinics.demo_stories import Staff, load_stories
from atlaschart.clinics.demo_stories.partners import API_TOKEN, CALENDAR_FEED
from atlaschart.clinics.models import Clinic
from atlaschart.lib.actor import Actor
from atlaschart.patients.models import Patient, Sex
from atlaschart.patients.services import create_patient

CLINICS = [
    (
        "seoul-demo",
        "서울 바른척추 재활의학과 (Seoul Barun Spine Rehabilitation Clinic)",
        "02-555-0100",
        "서울특별시 강남구 테헤란로 100",
        "seoul",
    ),
    (
        "busan-demo",
        "Haeundae Upper Cervical Chiropractic",
        "051-555-0200",
        "부산광역시 해운대구 해운대로 200",
        "busan",
    ),
]

# (name, latin, date of birth, sex, phone, preferred language)
SEOUL_PATIENTS = [
    ("김민준", "Minjun Kim", date(1985, 3, 2), Sex.MALE, "010-2345-6789", "ko"),
    ("이서연", "Seoyeon Lee", date(1992, 7, 19), Sex.FEMALE, "010-3456-7890", "ko"),
    ("박지훈", "Jihoon Park", date(1978, 11, 5), Sex.MALE, "010-4567-8901", "ko"),
    ("최수아", "Sua Choi", date(2001, 1, 23), Sex.FEMALE, "010-5678-9012", "ko"),
    ("정예준", "Yejun Jung", date(1969, 9, 30), Sex.MALE, "010-6789-0123", "ko"),
    ("강하은", "Haeun Kang", date(1995, 4, 14), Sex.FEMALE, "010-7890-1234", "ko"),
    ("조도윤", "Doyun Cho", date(1988, 12, 8), Sex.MALE, "010-8901-2345", "ko"),
    ("윤지우", "Jiwoo Yoon", date(1974, 6, 27), Sex.FEMALE, "010-9012-3456", "ko"),
    ("장서준", "Seojun Jang", date(1999, 2, 11), Sex.MALE, "010-1122-3344", "ko"),
    ("임하린", "Harin Lim", date(1983, 8, 3), Sex.FEMALE, "010-2233-4455", "ko"),
    ("한지민", "Jimin Han", date(1990, 10, 16), Sex.FEMALE, "010-3344-5566", "ko"),
    ("오승현", "Seunghyun Oh", date(1965, 5, 21), Sex.MALE, "010-4455-6677", "ko"),
    ("서민서", "Minseo Seo", date(2004, 3, 9), Sex.FEMALE, "010-5566-7788", "ko"),
    ("신우진", "Woojin Shin", date(1980, 1, 31), Sex.MALE, "010-6677-8899", "ko"),
    ("Emily Carter", "Emily Carter", date(1987, 9, 12), Sex.FEMALE, "010-7788-9900", "en"),
    ("James O'Neill", "James O'Neill", date(1976, 2, 4), Sex.MALE, "010-8899-0011", "en"),
]
BUSAN_PATIENTS = [
    ("권나연", "Nayeon Kwon", date(1993, 11, 2), Sex.FEMALE, "010-1212-3434", "ko"),
    ("황동현", "Donghyun Hwang", date(1971, 7, 7), Sex.MALE, "010-5656-7878", "ko"),
    ("송유나", "Yuna Song", date(1998, 4, 25), Sex.FEMALE, "010-9090-1212", "ko"),
    ("Daniel Novak", "Daniel Novak", date(1984, 12, 19), Sex.MALE, "010-3434-5656", "en"),
    ("배수빈", "Subin Bae", date(1990, 5, 17), Sex.FEMALE, "010-7878-9090", "ko"),
    ("노현우", "Hyunwoo Noh", date(1979, 8, 28), Sex.MALE, "010-2323-4545", "ko"),
]
ROLES = [(Role.CLINIC_ADMIN, "admin"), (Role.CLINICIAN, "clinician"), (Role.FRONT_DESK, "desk")]
DISPLAY_NAMES = {
    "seoul": {"admin": "관리자 박원장", "clinician": "이도현 원장", "desk": "김하늘 (접수)"},
    "busan": {"admin": "Admin Jung", "clinician": "Dr. Min Choi", "desk": "Front desk Lee"},
}


@dataclass(frozen=True)
class DemoResult:
    created: bool
    credentials: list[tuple[str, str, str, str]]  # clinic, username, password, role
    made: dict[str, int] = field(default_factory=dict)  # records the stories made, by kind
    skipped: list[str] = field(default_factory=list)  # story steps a service refused, and why
    # A live partner API token's secret and a clinician's calendar-feed path, each with whose it
    # is (clinic name; username): shown once by their services, kept in the credentials file.
    api_tokens: list[tuple[str, str]] = field(default_factory=list)
    calendar_feeds: list[tuple[str, str]] = field(default_factory=list)


def _credentials_file() -> Path:
    return Path(settings.VAR_DIR) / "demo_credentials.json"


def _load_passwords() -> dict[str, str]:
    path = _credentials_file()
    if path.exists():
        return dict(json.loads(path.read_text(encoding="utf-8")))
    return {}


def _save_passwords(passwords: dict[str, str]) -> None:
    path = _credentials_file()
    path.write_text(json.dumps(passwords, indent=2), encoding="utf-8")
    path.chmod(0o600)


def load_demo(
    password_for: dict[str, str] | None = None, only: tuple[str, ...] | None = None
) -> DemoResult:
    """Create the demo clinics unless they exist. ``password_for`` fixes passwords and ``only``
    names the clinics (by slug) to load (tests)."""
    passwords = {**_load_passwords(), **(password_for or {})}
    created = False
    made: dict[str, int] = {}
    skipped: list[str] = []
    with transaction.atomic():
        for slug, name, phone, address, prefix in CLINICS:
            if only is not None and slug not in only:
                continue
            clinic, was_created = Clinic.objects.get_or_create(
                slug=slug, defaults={"name": name, "phone": phone, "address": address}
            )
            if not was_created:
                # A clinic loaded by an earlier demo (names only) still gets its stories, once.
                if _stories_missing(clinic):
                    created = True
                    _tell_stories(clinic, prefix, made, skipped, passwords)
                continue
            created = True
            staff: dict[str, User] = {}
            for role, suffix in ROLES:
                username = f"{prefix}-{suffix}"
                password = passwords.setdefault(username, secrets.token_urlsafe(9))
                user = User(
                    username=username,
                    clinic=clinic,
                    role=role,
                    display_name=DISPLAY_NAMES[prefix][suffix],
                    language="ko" if prefix == "seoul" else "",
                )
                user.set_password(password)
                user.save()
                staff[role] = user
            # The demo registers patients the way the front desk does: through the same service,
            # so the chart-number counter and the access log are the real ones.
            desk = Actor.system(staff[Role.FRONT_DESK], via="demo")
            patients = SEOUL_PATIENTS if prefix == "seoul" else BUSAN_PATIENTS
            for pname, latin, dob, sex, phone_no, lang in patients:
                create_patient(
                    desk,
                    {
                        "name": pname,
                        "name_latin": latin,
                        "date_of_birth": dob,
                        "sex": sex,
                        "phone": phone_no,
                        "preferred_language": lang,
                    },
                )
            _tell_stories(clinic, prefix, made, skipped, passwords)
    if created or password_for:
        _save_passwords(passwords)
    credentials = []
    for slug, name, _phone, _address, prefix in CLINICS:
        for role, suffix in ROLES:
            username = f"{prefix}-{suffix}"
            if User.objects.filter(username=username, clinic__slug=slug).exists():
                credentials.append(
                    (
                        name.split(" (")[0],
                        username,
                        passwords.get(username, "(set before; see admin)"),
                        str(role.label),
                    )
                )
    api_tokens, calendar_feeds = _live_secrets(passwords)
    return DemoResult(
        created=created,
        credentials=credentials,
        made=made,
        skipped=skipped,
        api_tokens=api_tokens,
        calendar_feeds=calendar_feeds,
    )


def _token_key(slug: str) -> str:
    return f"{API_TOKEN}:{slug}"


def _feed_key(username: str) -> str:
    return f"{CALENDAR_FEED}:{username}"


def _live_secrets(kept: dict[str, str]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The kept token secrets and feed paths that still open something (a token revoked or a
    feed replaced in the app since is left out)."""
    from django.urls import reverse

    from atlaschart.calendarfeed.services import feed_of_secret
    from atlaschart.fhir.models_tokens import ApiToken
    from atlaschart.fhir.tokens import digest

    api_tokens = []
    calendar_feeds = []
    for slug, name, _phone, _address, prefix in CLINICS:
        secret = kept.get(_token_key(slug))
        if (
            secret
            and ApiToken.objects.filter(
                clinic__slug=slug, secret_sha256=digest(secret), revoked_at__isnull=True
            ).exists()
        ):
            api_tokens.append((name.split(" (")[0], secret))
        username = f"{prefix}-clinician"
        secret = kept.get(_feed_key(username))
        if secret and feed_of_secret(secret) is not None:
            calendar_feeds.append((username, reverse("calendarfeed:feed", args=[secret])))
    return api_tokens, calendar_feeds


def _demo_staff(clinic: Clinic, prefix: str) -> Staff | None:
    users = {u.username: u for u in User.objects.filter(clinic=clinic)}
    try:
        return Staff(
            admin=users[f"{prefix}-admin"],
            clinician=users[f"{prefix}-clinician"],
            desk=users[f"{prefix}-desk"],
        )
    except KeyError:
        return None


def _stories_missing(clinic: Clinic) -> bool:
    """Whether the clinic has none of the stories yet (no appointment at all): the marker that
    makes a second run change nothing."""
    from atlaschart.visits.models import Appointment

    return not Appointment.objects.filter(clinic=clinic).exists()


def _tell_stories(
    clinic: Clinic, prefix: str, made: dict[str, int], skipped: list[str], kept: dict[str, str]
) -> None:
    staff = _demo_staff(clinic, prefix)
    if staff is None:
        skipped.append(f"{clinic.slug}: the demo users are missing; no stories loaded")
        return
    patients = list(Patient.objects.filter(clinic=clinic).order_by("chart_number", "id"))
    report = load_stories(staff, patients, "ko" if prefix == "seoul" else "en")
    if prefix == "seoul":  # a held study in the imaging inbox, a finished de-identified export
        demo_imaging.load(staff, patients, report)
    for what, n in report.made.items():
        made[what] = made.get(what, 0) + n
    skipped.extend(f"{clinic.slug}: {line}" for line in report.skipped)
    # Shown once by their services: kept beside the passwords so a second run prints them again.
    if API_TOKEN in report.shown_once:
        kept[_token_key(clinic.slug)] = report.shown_once[API_TOKEN]
    if CALENDAR_FEED in report.shown_once:
        kept[_feed_key(staff.clinician.username)] = report.shown_once[CALENDAR_FEED]
