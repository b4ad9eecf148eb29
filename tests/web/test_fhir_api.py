"""The partners' read API at /fhir/: tokens, scoping, paging, search parameters and errors.

Tokens are made the way the clinic admin makes them (the token page); requests carry them as a
Bearer header, as a partner system would. The registry is the real one (atlaschart.fhir.registry).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.operationoutcome import OperationOutcome
from tests.factories import people

from atlaschart.audit.models import AccessLogEntry
from atlaschart.fhir import registry
from atlaschart.fhir.models_tokens import ApiToken
from atlaschart.fhir.tokens import digest
from atlaschart.patients.models import Patient, Sex

pytestmark = pytest.mark.django_db

FHIR_JSON = "application/fhir+json"


def make_token(personas, name: str = "Partner hospital") -> str:
    """A token made on the admin's page; returns the secret shown (once) there."""
    page = personas.login(personas.admin).post(
        reverse("fhir_tokens:create"), {"name": name, "purpose": "Referral letters"}
    )
    assert page.status_code == 200
    match = re.search(r'value="(atc_[A-Za-z0-9_\-]+)"', page.content.decode())
    assert match, "the new token is shown on the page"
    return match.group(1)


def get(path: str, token: str | None = None, **extra) -> tuple[int, dict, object]:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    response = Client().get(path, **headers, **extra)
    assert response["Content-Type"].startswith(FHIR_JSON), (path, response.status_code)
    return response.status_code, json.loads(response.content), response


def fhir_id(resource_type: str, row) -> str:
    (source,) = [s for s in registry.sources_of(resource_type) if s.rows]
    return source.fhir_id(row)


def patient_id(patient) -> str:
    return registry.sources_of("Patient")[0].fhir_id(patient)


def _outcome(body: dict, code: str) -> None:
    OperationOutcome.model_validate(body)
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["code"] == code


# ---------------------------------------------------------------------------------- tokens


def test_a_token_is_shown_once_and_stored_only_as_its_digest(personas) -> None:
    secret = make_token(personas)
    token = ApiToken.objects.get()
    assert token.secret_sha256 == digest(secret)
    stored = " ".join(str(getattr(token, f.attname)) for f in ApiToken._meta.concrete_fields)
    assert secret not in stored and secret[4:] not in stored
    assert token.hint == secret[:12] and token.created_by == personas.admin
    page = personas.login(personas.admin).get(reverse("fhir_tokens:list")).content.decode()
    assert "Partner hospital" in page and secret not in page


def test_only_the_admin_makes_or_revokes_tokens(personas) -> None:
    secret = make_token(personas)
    token = ApiToken.objects.get()
    for user in (personas.clinician, personas.desk):
        client = personas.login(user)
        assert client.get(reverse("fhir_tokens:list")).status_code == 403
        assert (
            client.post(reverse("fhir_tokens:create"), {"name": "x", "purpose": "y"}).status_code
            == 403
        )
        assert client.post(reverse("fhir_tokens:revoke"), {"token": token.pk}).status_code == 403
    assert ApiToken.objects.count() == 1
    assert get(f"/fhir/Patient/{patient_id(personas.patient)}", secret)[0] == 200


def test_another_clinics_admin_cannot_revoke_our_token(personas) -> None:
    from atlaschart.accounts.models import Role

    make_token(personas)
    busan_admin = people.staff(personas.busan, Role.CLINIC_ADMIN, "busan-admin")
    client = personas.login(busan_admin)
    client.post(reverse("fhir_tokens:revoke"), {"token": ApiToken.objects.get().pk})
    assert ApiToken.objects.get().revoked_at is None
    assert "Partner hospital" not in client.get(reverse("fhir_tokens:list")).content.decode()


def test_two_live_tokens_never_share_a_name(personas) -> None:
    make_token(personas)
    again = personas.login(personas.admin).post(
        reverse("fhir_tokens:create"), {"name": "Partner hospital", "purpose": "again"}
    )
    assert again.status_code == 400
    assert "already has this name" in again.content.decode()
    assert ApiToken.objects.count() == 1


@pytest.mark.parametrize(
    "header",
    [
        "",
        "Bearer",
        "Bearer atc_nope",
        "Basic YWRtaW46cGFzcw==",
        "Token atc_x",
        "bearer " + "a" * 300,
    ],
)
def test_no_or_a_bad_token_is_a_401_operation_outcome(personas, header) -> None:
    make_token(personas)
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    status, body, response = get(f"/fhir/Patient/{patient_id(personas.patient)}", **extra)
    assert status == 401
    _outcome(body, "login")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_a_401_and_the_refusal_is_logged(personas) -> None:
    secret = make_token(personas)
    path = f"/fhir/Patient/{patient_id(personas.patient)}"
    assert get(path, secret)[0] == 200
    personas.login(personas.admin).post(
        reverse("fhir_tokens:revoke"), {"token": ApiToken.objects.get().pk}
    )
    status, body, _r = get(path, secret)
    assert status == 401
    _outcome(body, "login")
    denied = AccessLogEntry.objects.filter(action="denied").get()
    assert (denied.user, denied.detail) == (
        personas.admin,
        f"via api token Partner hospital: GET {path}",
    )


def test_a_token_stops_when_its_creator_is_switched_off(personas) -> None:
    secret = make_token(personas)
    personas.admin.is_active = False
    personas.admin.save()
    assert get(f"/fhir/Patient/{patient_id(personas.patient)}", secret)[0] == 401


def test_a_signed_in_session_does_not_open_the_api(personas) -> None:
    response = personas.login(personas.admin).get(f"/fhir/Patient/{patient_id(personas.patient)}")
    assert response.status_code == 401
    assert response["Content-Type"].startswith(FHIR_JSON)


def test_the_last_use_is_noted(personas) -> None:
    secret = make_token(personas)
    assert ApiToken.objects.get().last_used_at is None
    get("/fhir/Patient", secret)
    assert ApiToken.objects.get().last_used_at is not None


# --------------------------------------------------------------------------- read and scope


def test_read_by_id_is_logged_as_the_creator_via_the_api(personas) -> None:
    secret = make_token(personas)
    path = f"/fhir/Patient/{patient_id(personas.patient)}"
    before = AccessLogEntry.objects.count()
    status, body, _r = get(path, secret, REMOTE_ADDR="203.0.113.9")
    assert status == 200
    assert (body["resourceType"], body["id"]) == ("Patient", patient_id(personas.patient))
    (row,) = AccessLogEntry.objects.order_by("seq")[before:]
    assert (row.user, row.patient, row.action, row.client_ip, row.detail) == (
        personas.admin,
        personas.patient,
        "view",
        "203.0.113.9",
        f"via api token Partner hospital: GET {path}",
    )


def test_another_clinics_resource_is_a_404_like_a_missing_one(personas) -> None:
    secret = make_token(personas)
    theirs = get(f"/fhir/Patient/{patient_id(personas.busan_patient)}", secret)
    missing = get("/fhir/Patient/patient-987654321", secret)
    assert theirs[0] == missing[0] == 404
    assert theirs[1] == missing[1]
    _outcome(theirs[1], "not-found")
    # And the search never shows it.
    _s, bundle, _r = get("/fhir/Patient?_count=100", secret)
    ids = {e["resource"]["id"] for e in bundle.get("entry", [])}
    assert patient_id(personas.patient) in ids
    assert patient_id(personas.busan_patient) not in ids


def test_the_scoping_check_bites_when_the_clinic_filter_is_removed(personas, monkeypatch) -> None:
    """The test above would fail without the door's clinic filter: remove it and the other
    clinic's patient is handed out."""
    from atlaschart.lib.access import Door

    secret = make_token(personas)
    monkeypatch.setattr(Door, "of_clinic", lambda self, who: self.model._default_manager.all())
    status, body, _r = get(f"/fhir/Patient/{patient_id(personas.busan_patient)}", secret)
    assert status == 200 and body["id"] == patient_id(personas.busan_patient)


# ---------------------------------------------------------------------------------- paging


def _follow(first: str, secret: str, relation: str = "next") -> tuple[list[str], list[dict]]:
    ids: list[str] = []
    bundles: list[dict] = []
    url: str | None = first
    while url:
        parts = urlsplit(url)
        status, bundle, _r = get(
            f"{parts.path}?{parts.query}" if parts.query else parts.path, secret
        )
        assert status == 200, bundle
        Bundle.model_validate(bundle)
        assert bundle["type"] == "searchset"
        bundles.append(bundle)
        ids += [e["resource"]["id"] for e in bundle.get("entry", [])]
        url = next((link["url"] for link in bundle["link"] if link["relation"] == relation), None)
        assert len(bundles) < 50
    return ids, bundles


def _more_patients(personas, n: int) -> list[Patient]:
    return [
        people.patient(
            personas.clinician if i % 4 else personas.outsider,
            chart_number=f"1{i:05d}",
            name=f"환자{i}",
            date_of_birth=date(1980, 1, 1),
            sex=Sex.FEMALE,
        )
        for i in range(n)
    ]


def test_following_next_to_the_end_gives_every_row_once(personas) -> None:
    secret = make_token(personas)
    _more_patients(personas, 30)
    ours = {patient_id(p) for p in Patient.objects.filter(clinic=personas.seoul)}
    assert len(ours) == 23
    ids, bundles = _follow("/fhir/Patient?_count=5", secret)
    assert len(ids) == len(set(ids)) and set(ids) == ours
    assert [len(b.get("entry", [])) for b in bundles] == [5, 5, 5, 5, 3]
    assert all(
        e["fullUrl"].endswith("/fhir/Patient/" + e["resource"]["id"])
        for b in bundles
        for e in b["entry"]
    )
    # Back from the last page by the previous links: the same rows, once each.
    last_self = next(link["url"] for link in bundles[-1]["link"] if link["relation"] == "self")
    back, _bundles = _follow(last_self, secret, relation="previous")
    assert len(back) == len(set(back)) and set(back) == ours
    assert "previous" not in {link["relation"] for link in bundles[0]["link"]}


def test_paging_keeps_the_filters_in_its_links(personas) -> None:
    secret = make_token(personas)
    _more_patients(personas, 12)
    target = Patient.objects.filter(clinic=personas.seoul).order_by("pk")[3]
    ids, _bundles = _follow(f"/fhir/Patient?patient=Patient/{patient_id(target)}&_count=1", secret)
    assert ids == [patient_id(target)]


def test_a_search_logs_each_resource_handed_out(personas) -> None:
    secret = make_token(personas)
    before = AccessLogEntry.objects.count()
    assert get("/fhir/Patient?_count=10", secret)[0] == 200
    rows = list(AccessLogEntry.objects.order_by("seq")[before:])
    assert {r.patient for r in rows} == {personas.patient}
    assert {(r.user, r.action) for r in rows} == {(personas.admin, "list")}
    assert rows[0].detail == "via api token Partner hospital: GET /fhir/Patient?_count=10"


def test_an_empty_search_is_still_logged(personas) -> None:
    secret = make_token(personas)
    before = AccessLogEntry.objects.count()
    _s, bundle, _r = get("/fhir/Patient?patient=Patient/patient-999999", secret)
    assert "entry" not in bundle
    (row,) = AccessLogEntry.objects.order_by("seq")[before:]
    assert (row.user, row.action, row.patient) == (personas.admin, "list", None)


# ------------------------------------------------------------------------ search parameters


def _ids(path: str, secret: str) -> list[str]:
    status, bundle, _r = get(path, secret)
    assert status == 200, bundle
    return [e["resource"]["id"] for e in bundle.get("entry", [])]


def test_patient_parameter_in_both_spellings(personas) -> None:
    secret = make_token(personas)
    _more_patients(personas, 5)
    me = patient_id(personas.patient)
    assert _ids(f"/fhir/Patient?patient=Patient/{me}", secret) == [me]
    assert _ids(f"/fhir/Patient?patient={me}", secret) == [me]
    assert _ids(f"/fhir/Patient?patient=Patient/{patient_id(personas.busan_patient)}", secret) == []


def test_date_parameter_prefixes_and_ranges(personas) -> None:
    """Patient's date is the record's last change (the registry's ``when``). Times set by hand:
    2026-01-31 23:30 in Seoul is 14:30 UTC, still 31 January in the clinic's time zone."""
    secret = make_token(personas)
    a, b, c = _more_patients(personas, 4)[1:4]
    moments = {
        personas.patient.pk: datetime(2025, 12, 31, 12, 0, tzinfo=UTC),
        a.pk: datetime(2026, 1, 31, 14, 30, tzinfo=UTC),
        b.pk: datetime(2026, 2, 1, 0, 0, tzinfo=UTC),
        c.pk: datetime(2026, 3, 15, 0, 0, tzinfo=UTC),
    }
    for pk, moment in moments.items():
        Patient.objects.filter(pk=pk).update(updated_at=moment)
    p0, pa, pb, pc = (patient_id(p) for p in (personas.patient, a, b, c))
    assert _ids("/fhir/Patient?date=ge2026-01-01", secret) == [pa, pb, pc]
    assert _ids("/fhir/Patient?date=lt2026", secret) == [p0]
    assert _ids("/fhir/Patient?date=2026-01", secret) == [pa]
    assert _ids("/fhir/Patient?date=eq2026-01-31", secret) == [pa]
    assert _ids("/fhir/Patient?date=2026-02-01", secret) == [pb]  # 09:00 in Seoul
    assert _ids("/fhir/Patient?date=ge2026-01-15&date=lt2026-03", secret) == [pa, pb]
    assert _ids("/fhir/Patient?date=gt2026-02-01", secret) == [pc]
    assert _ids("/fhir/Patient?date=le2026-02-01", secret) == [p0, pa, pb]
    assert _ids("/fhir/Patient?date=ne2026-01", secret) == [p0, pb, pc]
    assert _ids(
        "/fhir/Patient?date=ge2026-01-31T14:30:00Z&date=lt2026-02-01T09:00:00%2B09:00", secret
    ) == [pa]


def test_code_parameter_forms() -> None:
    from atlaschart.fhir.api import parse_code

    codes = [("http://loinc.org", "72514-3"), ("", "local")]
    matches = lambda raw: any(f.matches(codes) for f in parse_code(raw))  # noqa: E731
    assert matches("http://loinc.org|72514-3")
    assert matches("72514-3")
    assert matches("http://loinc.org|")
    assert matches("|local")
    assert not matches("|72514-3")
    assert not matches("http://snomed.info/sct|72514-3")
    assert matches("http://snomed.info/sct|1,http://loinc.org|72514-3")


@pytest.fixture
def full_clinic(personas, monkeypatch, settings, tmp_path):
    """The Seoul clinic with one record of every kind (the URL walk's fixture)."""
    from tests.web import every_kind

    settings.MEDIA_ROOT = str(tmp_path / "media")
    return every_kind.build(personas, monkeypatch)


def test_every_registry_type_answers_read_search_and_code(personas, full_clinic) -> None:
    """For each resource type of the registry: the search finds resources, each reads back by
    its id, a search by the first code it carries finds it, a code no one uses finds none, and
    the patient filter finds exactly the patient's rows. (One test: the fixture takes ~40 s.)"""
    secret = make_token(personas)
    empty = []
    for resource_type in registry.resource_types():
        ids, bundles = _follow(f"/fhir/{resource_type}?_count=50", secret)
        assert len(ids) == len(set(ids)), resource_type
        if not ids:
            empty.append(resource_type)
            continue
        entry = bundles[0]["entry"][0]
        assert entry["resource"]["resourceType"] == resource_type
        status, one, _r = get(f"/fhir/{resource_type}/{ids[0]}", secret)
        assert status == 200 and one == entry["resource"], resource_type
        source, row = registry.find_row(_actor(personas), resource_type, ids[0])
        codes = source.codes(row)
        if codes:
            system, code = codes[0]
            found = _ids(f"/fhir/{resource_type}?code={system}|{code}&_count=100", secret)
            assert ids[0] in found, (resource_type, system, code)
        assert _ids(f"/fhir/{resource_type}?code=urn:x-none|nothing", secret) == []
    # The fixture holds a record of every kind: every type but a rare few has a resource.
    # The fixture holds a record of every kind but an injection.
    assert set(empty) <= {"MedicationAdministration"}, empty
    _patient_search_on_every_type_matches_the_registrys_own_patient_rows(personas, secret)


def _patient_search_on_every_type_matches_the_registrys_own_patient_rows(personas, secret):
    """The search's patient filter (narrowed in the database where a source names its lookup)
    finds exactly the rows the registry says are the patient's."""
    actor = _actor(personas)
    me = patient_id(personas.patient)
    for resource_type in registry.resource_types():
        expected = {
            source.fhir_id(row)
            for source in registry.sources_of(resource_type)
            for row in source.rows(actor)
            if source.patient_id(row) == personas.patient.pk
        }
        ids, _b = _follow(f"/fhir/{resource_type}?patient=Patient/{me}&_count=7", secret)
        assert sorted(ids) == sorted(expected), resource_type


def _actor(personas):
    from atlaschart.lib.actor import Actor

    return Actor.system(personas.admin, via="test")


# ---------------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("patinet=Patient/patient-1", 400, "invalid"),  # a misspelt filter is refused, not ignored
        ("date=yesterday", 400, "invalid"),
        ("date=2026-02-30", 400, "invalid"),
        ("date=xx2026", 400, "invalid"),
        ("_count=0", 400, "invalid"),
        ("_count=101", 400, "invalid"),
        ("_count=-1", 400, "invalid"),
        ("_count=" + "9" * 5000, 400, "invalid"),
        ("_cursor=garbage", 400, "invalid"),
        ("patient=Practitioner/x y", 400, "invalid"),
        ("code=a|b|c", 400, "invalid"),
        ("code=", 400, "invalid"),
        ("_count=5&_count=6", 400, "invalid"),
        ("_format=xml", 406, "not-supported"),
    ],
)
def test_a_bad_parameter_is_an_operation_outcome(personas, query, status, code) -> None:
    secret = make_token(personas)
    got, body, _r = get(f"/fhir/Patient?{query}", secret)
    assert got == status
    _outcome(body, code)


def test_unknown_type_and_unknown_address_are_404_outcomes(personas) -> None:
    secret = make_token(personas)
    for path in (
        "/fhir/Spaceship",
        "/fhir/Spaceship/x-1",
        "/fhir/",
        "/fhir/Patient/a/b",
        "/fhir/%00",
    ):
        status, body, _r = get(path, secret)
        assert status == 404, path
        _outcome(body, "not-found" if "Spaceship" not in path else "not-supported")


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writing_is_a_405_even_without_a_csrf_token(personas, method) -> None:
    secret = make_token(personas)
    client = Client(enforce_csrf_checks=True)
    for path in (
        f"/fhir/Patient/{patient_id(personas.patient)}",
        "/fhir/Patient",
        "/fhir/metadata",
    ):
        response = getattr(client, method)(path, HTTP_AUTHORIZATION=f"Bearer {secret}")
        assert response.status_code == 405, (method, path)
        assert response["Allow"] == "GET"
        _outcome(json.loads(response.content), "not-supported")


def test_too_many_requests_is_a_429_outcome(personas, settings) -> None:
    settings.FHIR_API_RATE = "3/m"
    secret = make_token(personas)
    codes = [get("/fhir/Patient", secret)[0] for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    _status, body, response = get("/fhir/Patient", secret)
    _outcome(body, "throttled")
    assert response["Retry-After"]


# ----------------------------------------------------------------------- capability statement


def test_the_capability_statement_lists_every_type_and_validates() -> None:
    status, body, _r = get("/fhir/metadata")
    assert status == 200
    statement = CapabilityStatement.model_validate(body)
    assert statement.fhirVersion == "4.0.1"
    (rest,) = body["rest"]
    listed = [r["type"] for r in rest["resource"]]
    assert listed == registry.resource_types() and "Patient" in listed
    for resource in rest["resource"]:
        assert {p["name"] for p in resource["searchParam"]} == {"patient", "date", "code"}
        assert {i["code"] for i in resource["interaction"]} == {"read", "search-type"}


def test_api_errors_are_in_the_callers_language(personas) -> None:
    status, body, _r = get("/fhir/Patient", HTTP_ACCEPT_LANGUAGE="ko")
    assert status == 401
    assert re.search("[가-힣]", body["issue"][0]["diagnostics"])


def test_the_access_log_page_reads_an_api_row_in_words(personas) -> None:
    from django.utils import translation

    from atlaschart.audit.describe import describe

    secret = make_token(personas)
    get(f"/fhir/Patient/{patient_id(personas.patient)}", secret)
    row = AccessLogEntry.objects.filter(action="view").latest("seq")
    with translation.override("ko"):
        shown = describe(row).detail
    assert not shown.recorded
    assert shown.text == (
        f"API 경유 (토큰 Partner hospital): GET /fhir/Patient/{patient_id(personas.patient)}"
    )
