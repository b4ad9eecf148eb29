"""The partner API under hostile parameters: whatever comes, an OperationOutcome or a Bundle with
the right status (never a 500, never HTML). Hypothesis, bounded to keep the suite fast."""

from __future__ import annotations

import json
from urllib.parse import quote, urlencode

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atlaschart.fhir import registry
from atlaschart.fhir.tokens import make_token
from atlaschart.lib.actor import Actor

pytestmark = pytest.mark.django_db

NAMES = ["patient", "date", "code", "_count", "_cursor", "_format", "_sort", "subject", "date "]
ALPHABET = st.sampled_from([*"ab09-_.|,\\/:%&=#+ TZ가힣\x00\n", "ge", "lt", "Patient/", "2026"])
VALUES = st.lists(ALPHABET, max_size=20).map("".join)
FUZZ = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def secret(personas, settings):
    settings.FHIR_API_RATE = "100000/m"
    return make_token(Actor.system(personas.admin, via="test"), "Fuzz", "tests").secret


def _check(response) -> dict:
    assert response.status_code in (200, 400, 404, 406), response.status_code
    assert response["Content-Type"].startswith("application/fhir+json")
    body = json.loads(response.content)
    expected = "Bundle" if response.status_code == 200 else "OperationOutcome"
    assert (
        body["resourceType"] in (expected, "Patient", "Observation") or response.status_code == 200
    )
    return body


@FUZZ
@given(
    resource_type=st.sampled_from(["Patient", "Observation", "Appointment", "AuditEvent"]),
    params=st.lists(st.tuples(st.sampled_from(NAMES), VALUES), max_size=4),
)
def test_search_parameters(personas, secret, resource_type, params) -> None:
    response = Client().get(
        f"/fhir/{resource_type}?{urlencode(params)}", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    body = _check(response)
    if response.status_code == 200:
        assert body["resourceType"] == "Bundle" and body["type"] == "searchset"


@FUZZ
@given(raw=VALUES, path=VALUES)
def test_raw_query_strings_and_ids(personas, secret, raw, path) -> None:
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    _check(client.get(f"/fhir/Patient?{raw}", **auth))
    _check(client.get(f"/fhir/Patient/{quote(path, safe='')}", **auth))
    _check(client.get(f"/fhir/{quote(path, safe='')}", **auth))


def test_the_registry_has_the_fuzzed_types() -> None:
    assert {"Patient", "Observation", "Appointment", "AuditEvent"} <= set(registry.resource_types())
