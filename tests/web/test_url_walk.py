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
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from tests.web import every_kind
from tests.web.every_kind import SECRET

from atlaschart.lib.policy import POLICY, Kind, Permission, allows

K, P = Kind, Permission


@dataclass(frozen=True)
class Route:
    """How to request one URL pattern and what the policy requires for it.

    ``args`` names the fixture ids (or literal values) for the pattern's arguments, in order.
    ``need`` is the (kind, permission) the policy must allow; ``None`` with ``public=False`` means
    any signed-in member of a clinic.
    """

    args: tuple[str, ...] = ()
    need: tuple[Kind, Permission] | None = None
    method: str = "GET"
    public: bool = False
    signed_in_only: bool = False  # reachable by any signed-in user, clinic or not
    shows_no_patient_data: bool = False  # e.g. an empty "new patient" form
    # The partner API (fhir/views.py): opened by a Bearer token only, never by a session; without
    # one it answers 401 with an OperationOutcome (tests/web/test_fhir_api.py walks it with one).
    token_api: bool = False
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def names_a_record(self) -> bool:
        return any(not a.startswith("=") for a in self.args)


def r(*args: str, need: tuple[Kind, Permission] | None = None, **kw: Any) -> Route:
    return Route(args=args, need=need, **kw)


ROUTES: dict[str, Route] = {
    # Public and personal pages.
    "healthz": r(public=True),
    "accounts:login": r(public=True),
    "accounts:set_language": r(public=True, method="POST", data={"language": "ko"}),
    "visits:public": r("=seoul", public=True),
    "intake:fill": r("=token", "=complaints", public=True),
    "intake:autosave": r("=token", public=True, method="POST"),
    "intake:submit": r("=token", public=True, method="POST"),
    "intake:done": r(public=True),
    # The clinician's own calendar feed; the feed itself is opened by its secret address only.
    "calendarfeed:settings": r(need=(K.CALENDAR_FEED, P.READ)),
    "calendarfeed:create": r(need=(K.CALENDAR_FEED, P.WRITE), method="POST"),
    "calendarfeed:revoke": r(need=(K.CALENDAR_FEED, P.WRITE), method="POST"),
    "calendarfeed:feed": r("=not-a-feed-secret", public=True),
    # The partners' read API (Bearer tokens) and the admin's token pages.
    "fhir:metadata": r(public=True),
    "fhir:read": r("=Patient", "=patient-1", token_api=True),
    "fhir:search": r("=Patient", token_api=True),
    "fhir_tokens:list": r(need=(K.API_TOKEN, P.LIST)),
    "fhir_tokens:create": r(need=(K.API_TOKEN, P.WRITE), method="POST"),
    "fhir_tokens:revoke": r(need=(K.API_TOKEN, P.WRITE), method="POST"),
    "home": r(signed_in_only=True),
    "accounts:logout": r(signed_in_only=True, method="POST"),
    "accounts:password_change": r(signed_in_only=True),
    "accounts:security": r(signed_in_only=True),
    "accounts:reauth": r(signed_in_only=True),
    "accounts:two_factor": r(signed_in_only=True),
    "accounts:two_factor_verify": r(signed_in_only=True),
    "accounts:two_factor_enrol": r(signed_in_only=True),
    # Staff and clinic settings.
    "accounts:staff": r(need=(K.STAFF, P.LIST)),
    "accounts:staff_create": r(need=(K.STAFF, P.WRITE)),
    "accounts:staff_edit": r("staff_user", need=(K.STAFF, P.WRITE)),
    "accounts:staff_two_factor_reset": r("staff_user", need=(K.STAFF, P.WRITE), method="POST"),
    "accounts:locks": r(need=(K.STAFF, P.LIST)),
    "accounts:lock_lift": r("sign_in_lock", need=(K.STAFF, P.WRITE), method="POST"),
    "accounts:security_policy": r(need=(K.CLINIC_SETTINGS, P.WRITE)),
    "audit:access_log": r(need=(K.ACCESS_LOG, P.READ)),
    "audit:review": r(need=(K.ACCESS_LOG, P.READ)),
    "audit:export": r(need=(K.ACCESS_LOG, P.EXPORT)),
    "outcomes:clinic": r(need=(K.OUTCOMES, P.READ)),
    "outcomes:export": r(need=(K.OUTCOMES, P.EXPORT)),
    "posture:mdc_settings": r(need=(K.CLINIC_SETTINGS, P.WRITE)),
    "imaging_studies:listing_tables": r(need=(K.CLINIC_SETTINGS, P.WRITE)),
    "imaging_studies:listing_table_active": r(
        "listing_table", need=(K.CLINIC_SETTINGS, P.WRITE), method="POST"
    ),
    "intake:settings": r(need=(K.CLINIC_SETTINGS, P.WRITE)),
    "intake:packs": r(need=(K.CLINIC_SETTINGS, P.WRITE)),
    "visits:profile": r(need=(K.CLINIC_SETTINGS, P.WRITE)),
    "settings": r(need=(K.CLINIC_SETTINGS, P.READ)),
    "intake_links": r(need=(K.INTAKE_STATUS, P.LIST)),
    # Demographics.
    "patients:list": r(need=(K.DEMOGRAPHICS, P.LIST)),
    "patients:create": r(need=(K.DEMOGRAPHICS, P.WRITE), shows_no_patient_data=True),
    "patients:chart": r("patient", need=(K.DEMOGRAPHICS, P.READ)),
    "patients:edit": r("patient", need=(K.DEMOGRAPHICS, P.WRITE)),
    "patients:archive": r("patient", need=(K.DEMOGRAPHICS, P.WRITE), method="POST"),
    # Appointments and consultation requests.
    "visits:today": r(need=(K.APPOINTMENT, P.LIST)),
    "visits:calendar": r(need=(K.APPOINTMENT, P.LIST)),
    "visits:book": r("patient", need=(K.APPOINTMENT, P.WRITE)),
    "visits:status": r("appointment", need=(K.APPOINTMENT, P.WRITE), method="POST"),
    "visits:open": r("appointment", need=(K.VISIT_NOTE, P.WRITE)),
    "visits:requests": r(need=(K.CONSULTATION_REQUEST, P.LIST)),
    "visits:convert": r("consultation_request", need=(K.CONSULTATION_REQUEST, P.WRITE)),
    "visits:decline": r(
        "consultation_request", need=(K.CONSULTATION_REQUEST, P.WRITE), method="POST"
    ),
    # Visit notes, treatments, care plans, consent, adverse events.
    "visits:visit": r("visit", need=(K.VISIT_NOTE, P.READ)),
    "visits:save": r("visit", need=(K.VISIT_NOTE, P.WRITE), method="POST"),
    "visits:sign": r("visit", need=(K.VISIT_NOTE, P.SIGN), method="POST"),
    "visits:amend": r("visit", need=(K.VISIT_NOTE, P.WRITE)),
    "visits:treatment_add": r("visit", need=(K.VISIT_NOTE, P.WRITE), method="POST"),
    "visits:followup": r("visit", need=(K.ADVERSE_EVENT, P.WRITE), method="POST"),
    "visits:treatment_sign": r("treatment", need=(K.VISIT_NOTE, P.SIGN), method="POST"),
    "visits:treatment_delete": r("spare_treatment", need=(K.VISIT_NOTE, P.WRITE), method="POST"),
    "visits:care_plan": r("patient", need=(K.CARE_PLAN, P.WRITE)),
    "visits:care_plan_book": r("care_plan", need=(K.CARE_PLAN, P.WRITE)),
    "visits:consent": r("patient", need=(K.VISIT_NOTE, P.WRITE)),
    "visits:adverse_events": r(need=(K.ADVERSE_EVENT, P.SIGN)),
    "visits:adverse_event_review": r(
        "adverse_event", need=(K.ADVERSE_EVENT, P.SIGN), method="POST"
    ),
    # Exams and the safety screen.
    "exams:create": r("patient", "=leg_check", need=(K.EXAM, P.WRITE)),
    "exams:detail": r("exam", need=(K.EXAM, P.READ)),
    "safety:patient": r("patient", need=(K.SAFETY_SCREEN, P.READ)),
    "safety:acknowledge": r("screen", need=(K.SAFETY_SCREEN, P.SIGN), method="POST"),
    # Intake and follow-up.
    "intake:link_create": r("patient", need=(K.INTAKE_LINK, P.WRITE), method="POST"),
    "intake:followup_create": r("patient", need=(K.INTAKE_LINK, P.WRITE)),
    "intake:link_revoke": r("intake_link", need=(K.INTAKE_LINK, P.WRITE), method="POST"),
    "intake:detail": r("intake", need=(K.INTAKE_ANSWERS, P.READ)),
    "intake:followup_detail": r("followup", need=(K.INTAKE_ANSWERS, P.READ)),
    "intake:local_regions": r("intake", need=(K.EXAM, P.WRITE), method="POST"),
    # Progress.
    "progress:patient": r("patient", need=(K.INTAKE_ANSWERS, P.READ)),
    # Posture.
    "posture:patient": r("patient", need=(K.POSTURE, P.READ)),
    "posture:compare": r("patient", need=(K.POSTURE, P.READ)),
    "posture:session": r("posture_session", need=(K.POSTURE, P.READ)),
    "posture:shot": r("posture_shot", need=(K.POSTURE, P.READ)),
    "posture:image": r("posture_shot", need=(K.POSTURE, P.READ)),
    "posture:landmarks": r("posture_shot", need=(K.POSTURE, P.WRITE), method="POST"),
    "posture:calibration": r("posture_shot", need=(K.POSTURE, P.WRITE), method="POST"),
    # Background jobs: the fixture's job is its posture upload, seen by who may upload photos.
    "jobs:progress": r("job", need=(K.POSTURE, P.WRITE)),
    "jobs:status": r("job", need=(K.POSTURE, P.WRITE)),
    # Patient report (PDF) and the consent to photos in it.
    "reports:patient": r("patient", need=(K.POSTURE, P.EXPORT), method="POST", data={"lang": "ko"}),
    "reports:download": r("report_job", need=(K.POSTURE, P.EXPORT)),
    "reports:photo_consent": r(
        "patient", need=(K.POSTURE, P.WRITE), method="POST", data={"given": "yes"}
    ),
    # The whole record as FHIR (the chart's export; the partner API is fhir:*).
    "fhir_export:download": r("patient", need=(K.WHOLE_RECORD, P.EXPORT)),
    "fhir_export:made": r("fhir_job", need=(K.WHOLE_RECORD, P.EXPORT)),
    # Imaging.
    "imaging_studies:import": r("patient", need=(K.IMAGING, P.WRITE)),
    "imaging_studies:upload_open": r("patient", need=(K.IMAGING, P.WRITE), method="POST"),
    "imaging_studies:upload_file": r("patient", "upload", "=0", need=(K.IMAGING, P.WRITE)),
    "imaging_studies:upload_finish": r(
        "patient", "upload", need=(K.IMAGING, P.WRITE), method="POST"
    ),
    "imaging_studies:confirm_upload": r("patient", "upload", need=(K.IMAGING, P.WRITE)),
    "imaging_studies:compare": r("patient", need=(K.IMAGING, P.READ)),
    "imaging_studies:study": r("study", need=(K.IMAGING, P.READ)),
    "imaging_studies:export_study": r("study", need=(K.IMAGING, P.EXPORT), method="POST"),
    "imaging_studies:export_ready": r("export_job", need=(K.IMAGING, P.EXPORT)),
    "imaging_studies:export_download": r("export_job", need=(K.IMAGING, P.EXPORT)),
    "imaging_studies:viewer": r("instance", need=(K.IMAGING, P.READ)),
    "imaging_studies:image": r("instance", need=(K.IMAGING, P.READ)),
    "imaging_studies:instance_update": r("instance", need=(K.IMAGING, P.WRITE), method="POST"),
    "imaging_studies:export_png": r("instance", need=(K.IMAGING, P.EXPORT)),
    "imaging_studies:analysis_new": r("instance", need=(K.IMAGING, P.WRITE)),
    "imaging_studies:analysis_save": r("instance", need=(K.IMAGING, P.WRITE), method="POST"),
    "imaging_studies:analysis_edit": r("analysis", need=(K.IMAGING, P.WRITE)),
    "imaging_studies:volume": r("series", need=(K.IMAGING, P.READ)),
    "imaging_studies:slice": r("series", need=(K.IMAGING, P.READ)),
    "imaging_studies:volume_landmarks": r("series", need=(K.IMAGING, P.WRITE), method="POST"),
    # The imaging inbox (studies the DICOM receiver held for a person to confirm the patient).
    "dicom_inbox:inbox": r(need=(K.IMAGING, P.WRITE)),
    "dicom_inbox:item": r("inbox_item", need=(K.IMAGING, P.WRITE)),
    "dicom_inbox:confirm": r("inbox_item", need=(K.IMAGING, P.WRITE), method="POST"),
    "dicom_inbox:discard": r("inbox_item", need=(K.IMAGING, P.WRITE), method="POST"),
}

ROLES = ("admin", "clinician", "front_desk")

# Kinds that are not patient data: their pages need no access-log row.
NOT_PATIENT_DATA = {K.STAFF, K.CLINIC_SETTINGS, K.ACCESS_LOG}


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


def _url(route: Route, name: str, fixture: every_kind.EveryKind) -> str:
    values: list[Any] = []
    for arg in route.args:
        if arg == "=token":
            values.append(fixture.intake_token)
        elif arg.startswith("="):
            values.append(arg[1:])
        else:
            values.append(fixture.ids[arg])
    return reverse(name, args=values)


def _request(client: Client, route: Route, url: str) -> Any:
    if route.method == "POST":
        return client.post(url, route.data)
    return client.get(url)


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


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_anonymous_gets_the_sign_in_page_for_everything_but_public_pages(fixture) -> None:
    failures = []
    for name, route in sorted(ROUTES.items()):
        response = _request(Client(), route, _url(route, name, fixture))
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
            status = _request(_client(user), route, _url(route, name, fixture)).status_code
            if status != 401:
                failures.append(f"{name} as {role}: {status}, a session must not open the API")
            continue
        if route.public or route.signed_in_only:
            continue
        url = _url(route, name, fixture)
        allowed = route.need is None or allows(user, *route.need)
        before = _data_rows()
        denied_before = AccessLogEntry.objects.filter(action="denied").count()
        response = _request(_client(user), route, url)
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
        response = _request(_client(personas.outsider), route, _url(route, name, fixture))
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
