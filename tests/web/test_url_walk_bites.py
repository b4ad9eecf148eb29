"""The URL walk bites: each guard it relies on, removed one at a time, makes it fail.

- Every door (``atlaschart.lib.access.DOORS``) in turn loses its clinic filter; the walk as a user
  of another clinic must then report at least one URL that answered with our record.
- Every view that declares its permission with ``permission_required`` in turn loses that check;
  the walk as the least-privileged role the policy refuses must then report that URL.

A door no URL reaches, or a permission check no walk notices, fails this test by name.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.urls import resolve
from tests.factories import people
from tests.web import every_kind
from tests.web.every_kind import SECRET
from tests.web.routes import ROLES, ROUTES, request_route, url_of

from atlaschart.lib import access
from atlaschart.lib.policy import allows


@pytest.fixture(autouse=True)
def _once_is_enough() -> None:
    # The mutations prove something about the app's code, not the database engine: the SQLite
    # run is enough, and the PostgreSQL run keeps its minutes for engine-specific tests.
    if connection.vendor != "sqlite":
        pytest.skip("the mutation walk runs on SQLite only")


@pytest.fixture
def fixture(personas: Any, monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return every_kind.build(personas, monkeypatch)


# Doors whose records no URL names by id and no list shows across patients: they are reached only
# through a record that another door has already scoped (a consent or an amendment through its
# patient or visit, a questionnaire response on its patient's chart), or by a patient's own token
# (an intake link). Losing their clinic filter alone leaks nothing the walk can see; the scoping
# above them is what the walk proves.
REACHED_ONLY_THROUGH_ANOTHER_DOOR = {
    "intake.IntakeLink",
    "intake.LocalRegions",  # read on the progress page of a patient the patient door scoped
    "intake.QuestionnaireResponse",
    "reports.PhotoConsent",  # read on the chart and in the report of a patient already scoped
    "visits.ConsentRecord",
    "visits.Amendment",
}


def _outsiders(personas: Any) -> list[Any]:
    """A clinician and a clinic admin of the Busan clinic."""
    from atlaschart.accounts.models import Role, User

    # Asked for on every walk of a test: made on the first.
    admin = User.objects.filter(username="busan-admin").first() or people.staff(
        personas.busan, Role.CLINIC_ADMIN, "busan-admin"
    )
    return [personas.outsider, admin]


def _leaks(fixture: Any, personas: Any) -> list[str]:
    """URLs where a Busan user got a Seoul record (any answer but 403/404 for a Seoul id) or a
    page showing the Seoul clinic's marker text."""
    leaked = []
    for user in _outsiders(personas):
        client = personas.login(user)
        for name, route in sorted(ROUTES.items()):
            if route.public or route.signed_in_only:
                continue
            if route.need is not None and not allows(user, *route.need):
                continue
            response = request_route(client, route, url_of(route, name, fixture))
            if route.names_a_record:
                if response.status_code not in (403, 404):
                    leaked.append(name)
            elif SECRET in response.content.decode("utf-8", "replace"):
                leaked.append(name)
    return leaked


def test_removing_the_clinic_filter_of_any_door_fails_the_walk(fixture, personas) -> None:
    assert _leaks(fixture, personas) == [], "the walk must be clean before mutating"
    assert access.DOORS, "no door was declared"
    unnoticed = []
    for door in list(access.DOORS):
        model = door.model
        if model._meta.label in REACHED_ONLY_THROUGH_ANOTHER_DOOR:
            continue

        def unscoped(who: Any, _model: Any = model) -> Any:
            return _model._default_manager.all()

        # An instance attribute shadows the method: this door alone loses its filter. Doors are
        # frozen, hence object.__setattr__.
        object.__setattr__(door, "of_clinic", unscoped)
        try:
            if not _leaks(fixture, personas):
                unnoticed.append(f"{model._meta.label} ({door.clinic_field})")
        finally:
            object.__delattr__(door, "of_clinic")
    assert not unnoticed, f"doors whose lost clinic filter the walk does not notice: {unnoticed}"


def _without_permission_check(view: Any) -> Any:
    """The view function under its decorators (``functools.wraps`` keeps ``__wrapped__``)."""
    while hasattr(view, "__wrapped__"):
        view = view.__wrapped__
    return view


def test_removing_the_permission_check_of_any_view_fails_the_walk(fixture, personas) -> None:
    users = {"admin": personas.admin, "clinician": personas.clinician, "front_desk": personas.desk}
    unnoticed = []
    checked = 0
    for name, route in sorted(ROUTES.items()):
        if route.need is None:
            continue
        refused = [role for role in ROLES if not allows(users[role], *route.need)]
        if not refused:
            continue
        url = url_of(route, name, fixture)
        match = resolve(url)
        declared = getattr(match.func, "atlaschart_permission", None)
        if declared is None:
            continue  # checked inside the view (e.g. GET reads, POST writes); see the walk
        checked += 1
        pattern = match.tried[-1][-1] if match.tried else None
        assert pattern is not None
        original = pattern.callback
        pattern.callback = _without_permission_check(original)
        try:
            response = request_route(personas.login(users[refused[0]]), route, url)
        finally:
            pattern.callback = original
        if response.status_code == 403:
            unnoticed.append(name)
    assert checked > 20, f"only {checked} views declare their permission"
    assert not unnoticed, f"views still refused with their permission check removed: {unnoticed}"
