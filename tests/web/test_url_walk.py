# ROUTES (one entry per URL pattern; add yours there) now live in tests/web/routes.py.
"""The whole URL map, walked as every persona.

Every URL pattern of the project (read from the resolver, not from a list someone keeps) is
requested with an id of the Seoul fixture clinic (tests/web/every_kind.py) as:

- anonymous: the sign-in page, never data (public pages excepted, and named below);
- a clinician of another clinic: 404 for any record of ours (or 403 where the role is refused),
  and no page may contain the Seoul clinic's marker text;
- each role of the same clinic: exactly what the role policy (atlaschart.lib.policy.POLICY,
  stated in docs/roles.md) allows — 403 where it refuses, with nothing written but the ``denied``
  row, and never 403, 404 or 500 where it allows.

A URL pattern that is not in ``ROUTES`` fails the test, so a new view is covered the day it is
added. Removing the clinic filter of any door, or a permission check of any view, fails it (see
the closing note of the Trust issue for the mutations tried).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from tests.web import every_kind
from tests.web.every_kind import SECRET
from tests.web.routes import ROLES, ROUTES, Route, request_route, url_of

from atlaschart.lib.policy import POLICY, Kind, allows

# Kinds that are not patient data: their pages need no access-log row.
NOT_PATIENT_DATA = {Kind.STAFF, Kind.CLINIC_SETTINGS, Kind.ACCESS_LOG}


def _touches_patient_data(route: Route) -> bool:
    return (
        route.need is not None
        and route.need[0] not in NOT_PATIENT_DATA
        and not route.shows_no_patient_data
    )


def url_patterns(
    resolver: URLResolver | None = None, namespace: str = ""
) -> Iterator[tuple[str, URLPattern]]:
    """Every named URL pattern of the project, with its namespaced name."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace + (f"{entry.namespace}:" if entry.namespace else "")
            yield from url_patterns(entry, inner)
        elif entry.name:
            yield namespace + entry.name, entry


def test_every_url_pattern_has_a_route_in_the_walk() -> None:
    names = {name for name, _pattern in url_patterns()}
    missing = sorted(names - ROUTES.keys())
    assert not missing, f"URL patterns with no entry in ROUTES (add one): {missing}"
    stale = sorted(ROUTES.keys() - names)
    assert not stale, f"ROUTES entries for URL patterns that no longer exist: {stale}"


def test_the_walk_needs_only_what_the_policy_names() -> None:
    for name, route in ROUTES.items():
        if route.need is not None:
            kind, permission = route.need
            granted = [role for role in ROLES if permission in POLICY[role].get(kind, ())]
            assert granted, f"{name}: no role is allowed {permission} on {kind}"


def _body(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def _data_rows() -> dict[str, int]:
    """Row counts of every AtlasChart table except the access log (a denied request writes only
    its ``denied`` row)."""
    counts = {}
    for model in apps.get_models():
        label = model._meta.label
        if (
            not label.startswith(("accounts.", "clinics."))
            and model.__module__.startswith("atlaschart.")
            and model._meta.app_label != "audit"
        ):
            counts[label] = model._default_manager.count()
    return counts


@pytest.fixture
def fixture(personas: Any, monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return every_kind.build(personas, monkeypatch)


def test_anonymous_gets_the_sign_in_page_for_everything_but_public_pages(fixture) -> None:
    failures = []
    for name, route in sorted(ROUTES.items()):
        response = request_route(Client(), route, url_of(route, name, fixture))
        if route.token_api:
            if response.status_code != 401 or not response["Content-Type"].startswith(
                "application/fhir+json"
            ):
                failures.append(f"{name}: {response.status_code} without a token (401)")
            continue
        if route.public:
            if response.status_code >= 500:
                failures.append(f"{name}: {response.status_code}")
            continue
        location = response.headers.get("Location", "")
        if response.status_code != 302 or not location.startswith(reverse("accounts:login")):
            failures.append(f"{name}: {response.status_code} {location}")
    assert not failures, failures


@pytest.mark.parametrize("role", ROLES)
def test_each_role_of_the_clinic_gets_what_the_policy_says(fixture, personas, role) -> None:
    user = {"admin": personas.admin, "clinician": personas.clinician, "front_desk": personas.desk}[
        role
    ]
    from atlaschart.audit.models import AccessLogEntry

    failures = []
    logged_before = AccessLogEntry.objects.filter(user=user).exclude(action="denied").count()
    # Pages first, then the POSTs that may archive, sign or decline the fixture's records.
    for name, route in sorted(ROUTES.items(), key=lambda item: (item[1].method, item[0])):
        if route.token_api:
            status = request_route(
                personas.login(user), route, url_of(route, name, fixture)
            ).status_code
            if status != 401:
                failures.append(f"{name} as {role}: {status}, a session must not open the API")
            continue
        if route.public or route.signed_in_only:
            continue
        url = url_of(route, name, fixture)
        allowed = route.need is None or allows(user, *route.need)
        before = _data_rows()
        denied_before = AccessLogEntry.objects.filter(action="denied").count()
        response = request_route(personas.login(user), route, url)
        status = response.status_code
        if not allowed:
            if status != 403:
                where = response.headers.get("Location", "")
                failures.append(f"{name} as {role}: {status} {where}, the policy refuses it (403)")
            elif _data_rows() != before:
                failures.append(f"{name} as {role}: refused but wrote a row")
            elif AccessLogEntry.objects.filter(action="denied").count() != denied_before + 1:
                failures.append(f"{name} as {role}: refused without one 'denied' log row")
        elif status in (403, 404) or status >= 500:
            failures.append(f"{name} as {role}: {status}, the policy allows it")
        elif _touches_patient_data(route) and route.method == "GET" and status == 200:
            # PIPA: a page that shows a patient leaves a row naming the user.
            shown = personas.patient.name in _body(response)
            logged = AccessLogEntry.objects.filter(user=user).exclude(action="denied")
            if shown and logged.count() == logged_before:
                failures.append(f"{name} as {role}: shows the patient, nothing in the access log")
        logged_before = AccessLogEntry.objects.filter(user=user).exclude(action="denied").count()
    assert not failures, "\n".join(failures)


def test_a_user_of_another_clinic_never_gets_our_records(fixture, personas) -> None:
    failures = []
    for name, route in sorted(ROUTES.items()):
        if route.public or route.signed_in_only or route.token_api:
            continue
        response = request_route(
            personas.login(personas.outsider), route, url_of(route, name, fixture)
        )
        status = response.status_code
        body = _body(response) if status == 200 else ""
        allowed = route.need is None or allows(personas.outsider, *route.need)
        if not allowed:
            if status != 403:
                failures.append(f"{name}: {status}, the policy refuses the role (403)")
        elif route.names_a_record:
            if status != 404:
                failures.append(f"{name}: {status} for a record of another clinic (404)")
        elif status >= 500 or SECRET in body or personas.patient.phone in body:
            failures.append(f"{name}: {status}, shows another clinic's data")
    assert not failures, "\n".join(failures)


def test_docs_roles_md_states_the_policy_table() -> None:
    """docs/roles.md carries the policy as a table; it must say what the code does."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "roles.md").read_text("utf-8")
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0].startswith("`") and cells[0].endswith("`"):
            rows[cells[0].strip("`")] = cells[1:]
    for kind in Kind:
        assert kind.value in rows, f"docs/roles.md has no row for `{kind.value}`"
        for role, cell in zip(("front_desk", "clinician", "admin"), rows[kind.value], strict=True):
            granted = POLICY[role].get(kind, frozenset())
            stated = {word.strip() for word in cell.split(",") if word.strip() not in ("", "—")}
            assert stated == {p.value for p in granted}, (kind.value, role, stated)
