"""The doors, the role policy and the chart for imaging and posture.

One object of every kind is made in the Seoul clinic; every URL of the two apps is taken from the
resolver (a new one without an id below fails ``url_for``), then requested

- by the Seoul clinic admin: reaches every id (so the 404s below are not a wrong id);
- by a Busan clinic admin, who holds every permission, so the door is all that stops them: 404;
- by Seoul's front desk: 403 on every page and action (photos and images are clinical content),
  nothing written but the ``denied`` row.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import URLResolver, get_resolver, reverse
from tests.factories.imaging import one_of_every_kind

import atlaschart.web.celery  # noqa: F401  (the project's Celery app: jobs run eagerly in tests)
from atlaschart.accounts.models import Role, User
from atlaschart.audit.models import AccessLogEntry
from atlaschart.imaging_studies import access as imaging_access
from atlaschart.imaging_studies.models import Instance, ListingTable, Series, Study, UCAnalysis
from atlaschart.lib.access import RecordNotFound
from atlaschart.lib.actor import Actor
from atlaschart.posture import access as posture_access
from atlaschart.posture.models import LandmarkRevision, PostureSession, PostureShot

pytestmark = pytest.mark.django_db
APPS = ("imaging_studies", "posture")


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def world(personas: Any) -> dict[str, Any]:
    """One record of every kind in Seoul, made through the services (tests/factories/imaging.py)."""
    return one_of_every_kind(personas)


def urls(world: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(name, url, has an id) for every URL pattern of the two apps, from the resolver."""
    out = []
    for top in get_resolver().url_patterns:
        if not isinstance(top, URLResolver) or top.namespace not in APPS:
            continue
        for pattern in top.url_patterns:
            names = list(pattern.pattern.converters)
            name = f"{top.namespace}:{pattern.name}"
            # KeyError here: a new URL needs a record above, so it is walked too.
            out.append((name, reverse(name, kwargs={k: world[k] for k in names}), bool(names)))
    assert len(out) >= 25
    return out


def busan_admin(personas: Any) -> Any:
    return User.objects.create_user("busan-admin", clinic=personas.busan, role=Role.CLINIC_ADMIN)


def snapshot() -> dict[str, Any]:
    """Everything a request could write, except the access log's ``denied`` rows."""
    return {
        "rows": [
            m.objects.count()
            for m in (Study, Series, Instance, UCAnalysis, ListingTable, PostureSession)
        ]
        + [PostureShot.objects.count(), LandmarkRevision.objects.count()],
        "log": AccessLogEntry.objects.exclude(action="denied").count(),
        "instances": list(Instance.objects.values_list("landmarks", "spacing_source")),
        "volumes": list(Series.objects.values_list("landmarks_3d", flat=True)),
        "tables": list(ListingTable.objects.values_list("is_active", flat=True)),
        "shots": list(PostureShot.objects.values_list("cal_distance_mm", flat=True)),
    }


def test_the_own_clinic_reaches_every_id(personas: Any, world: dict[str, Any]) -> None:
    """The control: the ids below are real, so a 404 for Busan is the door, not a typo."""
    c = personas.login(personas.admin)
    for name, url, _has_id in urls(world):
        status = c.get(url).status_code
        assert status in (200, 302, 405), (name, status)


def test_another_clinic_gets_404_for_every_id(personas: Any, world: dict[str, Any]) -> None:
    c = personas.login(busan_admin(personas))
    before = snapshot()
    checked = 0
    for name, url, has_id in urls(world):
        if not has_id:
            continue
        statuses = {c.get(url).status_code, c.post(url, {}).status_code}
        # 405: the method this URL does not take (GET-only tiles, POST-only actions).
        assert 404 in statuses and statuses <= {404, 405}, (name, statuses)
        checked += 1
    assert checked >= 20
    assert snapshot() == before


def test_front_desk_is_refused_every_imaging_and_posture_page(
    personas: Any, world: dict[str, Any]
) -> None:
    c = personas.login(personas.desk)
    before = snapshot()
    for name, url, _has_id in urls(world):
        statuses = {c.get(url).status_code, c.post(url, {}).status_code}
        assert 403 in statuses and statuses <= {403, 405}, (name, statuses)
    assert snapshot() == before


def test_front_desk_sees_no_imaging_or_posture_on_the_chart(
    personas: Any, world: dict[str, Any]
) -> None:
    chart = reverse("patients:chart", args=[personas.patient.pk])
    desk = personas.login(personas.desk).get(chart)
    assert desk.status_code == 200
    page = desk.content.decode()
    assert "/imaging/" not in page and "/posture/" not in page
    assert 'id="section-imaging"' not in page and 'id="section-posture"' not in page
    clinician = personas.login(personas.clinician).get(chart).content.decode()
    assert "/imaging/" in clinician and "/posture/" in clinician


DOORS = [
    pytest.param(imaging_access.get_study_for_user, "study_id", id="study"),
    pytest.param(imaging_access.get_series_for_user, "series_id", id="series"),
    pytest.param(imaging_access.get_instance_for_user, "instance_id", id="instance"),
    pytest.param(imaging_access.get_analysis_for_user, "analysis_id", id="analysis"),
    pytest.param(imaging_access.get_listing_table_for_user, "table_pk", id="listing-table"),
    pytest.param(posture_access.get_session_for_user, "session_id", id="posture-session"),
    pytest.param(posture_access.get_shot_for_user, "shot_id", id="posture-shot"),
]


@pytest.mark.parametrize(("door", "key"), DOORS)
def test_each_door_hands_out_its_own_clinics_record_only(
    personas: Any, world: dict[str, Any], door: Any, key: str
) -> None:
    own = door(Actor.system(personas.clinician, via="test"), world[key])
    assert own.pk == world[key]
    with pytest.raises(RecordNotFound):
        door(Actor.system(personas.outsider, via="test"), world[key])
    with pytest.raises(RecordNotFound):
        door(Actor.system(None, via="test"), world[key])


SCOPES = [
    imaging_access.studies_of_clinic,
    imaging_access.series_of_clinic,
    imaging_access.instances_of_clinic,
    imaging_access.analyses_of_clinic,
    imaging_access.listing_tables_of_clinic,
    posture_access.sessions_of_clinic,
    posture_access.shots_of_clinic,
]


@pytest.mark.parametrize("scope", SCOPES, ids=lambda f: f.__name__)
def test_each_scope_holds_the_own_clinic_only(
    personas: Any, world: dict[str, Any], scope: Any
) -> None:
    assert scope(Actor.system(personas.clinician, via="test")).exists()
    assert not scope(Actor.system(personas.outsider, via="test")).exists()


def test_image_tiles_are_logged_once_per_browser_session(
    personas: Any, world: dict[str, Any]
) -> None:
    c = personas.login(personas.clinician)
    image = reverse("imaging_studies:image", args=[world["instance_id"]])
    photo = reverse("posture:image", args=[world["shot_id"]])
    for _ in range(3):
        assert c.get(image + "?wc=10&ww=20").status_code == 200
        assert c.get(photo).status_code == 200
    rows = AccessLogEntry.objects.filter(detail__in=["image", "photo"], user=personas.clinician)
    assert sorted(rows.values_list("detail", flat=True)) == ["image", "photo"]


def test_a_role_that_may_only_read_writes_nothing(
    personas: Any, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages that read on GET and write on POST check the write permission on POST: a role the
    policy lets read (but not write) images, photos and settings gets 403 on every POST."""
    from atlaschart.lib import policy

    read_only = frozenset({policy.Permission.LIST, policy.Permission.READ})
    kinds = (policy.Kind.IMAGING, policy.Kind.POSTURE, policy.Kind.CLINIC_SETTINGS)
    table = dict(policy.POLICY)
    table["front_desk"] = {**policy.POLICY["front_desk"], **dict.fromkeys(kinds, read_only)}
    monkeypatch.setattr(policy, "POLICY", table)
    writes_on_post = {
        "imaging_studies:listing_tables",
        "posture:patient",
        "posture:session",
        "posture:mdc_settings",
    }
    callbacks = {
        f"{top.namespace}:{p.name}": p.callback
        for top in get_resolver().url_patterns
        if isinstance(top, URLResolver) and top.namespace in APPS
        for p in top.url_patterns
    }
    c = personas.login(personas.desk)
    before = snapshot()
    writes = AccessLogEntry.objects.exclude(action__in=["view", "denied"])
    writes_before = writes.count()
    for name, url, _has_id in urls(world):
        declared = getattr(callbacks[name], "atlaschart_permission", None)
        assert declared is not None, f"{name} declares no permission"
        status = c.post(url, {}).status_code
        if declared[1] != policy.Permission.READ or name in writes_on_post:
            assert status == 403, name
        else:
            assert status in (200, 405), name  # a read page ignores a POST
    after = snapshot()
    # Read pages log what they show; nothing else may change.
    assert {**after, "log": 0} == {**before, "log": 0}
    assert writes.count() == writes_before
