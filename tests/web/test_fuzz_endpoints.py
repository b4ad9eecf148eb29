"""Hostile input on every form and JSON endpoint: never a 500, refusals in the user's language.

The endpoints come from the resolver through the URL walk's ``ROUTES`` (a new URL pattern is in
the walk or the walk fails), so a new form is fuzzed without anyone remembering. For each page
the clinic admin (signed in in Korean) may open, every ``<form>`` on it is found in the HTML and
submitted with Hypothesis-generated values per field: NUL, lone surrogates, a 1 MB string, huge
and non-finite numbers, extreme dates, deep JSON nesting, wrong types. JSON endpoints get hostile
bodies. Anonymous pages (the patient's intake, the public consultation page) are fuzzed as an
anonymous visitor. Runs on SQLite and on PostgreSQL (where NUL and surrogates reach the driver).

Asserted: no status of 500 or more; a 400 says why in Korean (it contains Hangul); a value with
NUL or a lone surrogate is never stored (checked on the patient record, which the admin's
patient form would write).
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote_from_bytes, urljoin, urlsplit

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.web import every_kind
from tests.web.routes import ROUTES, url_of

HOSTILE_TEXT = st.sampled_from(
    [
        "\x00",
        "a\x00b",
        "\ud800",
        "x\udfffy",
        "A" * 1_000_000,
        "9" * 5000,
        "-" + "9" * 400,
        "1e308",
        "1e309",
        "-1e309",
        "nan",
        "inf",
        "-0",
        "9999-12-31",
        "0001-01-01",
        "9999-12-31T23:59",
        "0000-00-00",
        "2025-02-30",
        "[" * 2000,
        "{}",
        "[]",
        "null",
        "' OR 1=1 --",
        "<script>alert(1)</script>",
        "../../etc/passwd",
        "//evil.example/",
        "",
    ]
)

JSON_ROUTES = {
    "imaging_studies:analysis_save",
    "imaging_studies:volume_landmarks",
    "imaging_studies:instance_update",
    "posture:landmarks",
    "intake:autosave",
}

HOSTILE_JSON = st.one_of(
    st.sampled_from(
        [
            b"[" * 2000 + b"]" * 2000,
            b"{" * 50,
            b'{"a": ' * 3000,
            b"1" * 5000,
            b'{"points": {"apl_right": [1e999, 2]}}',
            b'{"points": {"apl_right": ["NaN", null]}}',
            b'{"points": {"\\u0000": [1, 2]}}',
            b'{"step": "\\ud800", "fields": {"q": "\\u0000"}}',
            b'{"landmarks": [{"name": "left_shoulder", "x": 1e308, "y": -1e308}]}',
            b'{"distance_mm": 1e308}',
            b"\xff\xfe\xfd",
            b"",
            b"null",
        ]
    ),
    st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20)),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(max_size=10), children, max_size=4)
        ),
        max_leaves=20,
    ).map(lambda value: json.dumps(value, allow_nan=True).encode()),
)

HANGUL = re.compile(r"[\uac00-\ud7a3]")


class _Forms(HTMLParser):
    """The forms of a page: action, method and field names (hidden fields keep their value)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.forms.append(
                {
                    "action": a.get("action") or "",
                    "method": (a.get("method") or "get").lower(),
                    "fields": {},
                    "hidden": {},
                }
            )
        elif tag in ("input", "select", "textarea", "button") and self.forms and a.get("name"):
            name = a["name"] or ""
            kind = (a.get("type") or "").lower()
            if name == "csrfmiddlewaretoken" or kind == "file":
                return
            if kind == "hidden":
                self.forms[-1]["hidden"][name] = a.get("value") or ""
            else:
                self.forms[-1]["fields"][name] = a.get("value") or ""


def _encode(fields: dict[str, str]) -> bytes:
    """application/x-www-form-urlencoded, keeping lone surrogates as their raw UTF-8 bytes (the
    test client would refuse to encode them; a hostile browser would not)."""
    return "&".join(
        quote_from_bytes(k.encode("utf-8", "surrogatepass"))
        + "="
        + quote_from_bytes(v.encode("utf-8", "surrogatepass"))
        for k, v in fields.items()
    ).encode()


def _check(response: Any, where: str, failures: list[str]) -> None:
    if response.status_code >= 500:
        failures.append(f"{where}: {response.status_code}")
    elif response.status_code == 400 and not getattr(response, "streaming", False):
        body = response.content.decode("utf-8", "replace")
        if "json" in response.get("Content-Type", ""):
            body = json.dumps(json.loads(body), ensure_ascii=False)
        if not HANGUL.search(body):
            failures.append(f"{where}: 400 without a Korean message: {body[:120]!r}")


FUZZ = settings(
    max_examples=6,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


def _form_fuzzer(
    client: Client, name: str, form: dict[str, Any], action: str, failures: list[str]
) -> Any:
    @FUZZ
    @given(values=st.fixed_dictionaries({f: HOSTILE_TEXT for f in sorted(form["fields"])}))
    def submit(values: dict[str, str]) -> None:
        fields = {**form["hidden"], **values}
        if form["method"] == "post":
            response = client.post(
                action, _encode(fields), content_type="application/x-www-form-urlencoded"
            )
        else:
            response = client.get(f"{urlsplit(action).path}?{_encode(fields).decode()}")
        _check(response, f"{name} {form['method']} {action}", failures)

    return submit


def _json_fuzzer(client: Client, name: str, url: str, failures: list[str]) -> Any:
    @FUZZ
    @given(body=HOSTILE_JSON)
    def post(body: bytes) -> None:
        response = client.post(url, body, content_type="application/json")
        _check(response, f"{name} {body[:40]!r}", failures)

    return post


def _query_fuzzer(client: Client, name: str, path: str, failures: list[str]) -> Any:
    @FUZZ
    @given(
        key=st.sampled_from(["date", "q", "page", "next", "id", "view", "clinician"]),
        value=HOSTILE_TEXT,
    )
    def get(key: str, value: str) -> None:
        query = _encode({key: value[:5000]}).decode()
        _check(client.get(f"{path}?{query}"), f"{name} ?{key}={value[:30]!r}", failures)

    return get


@pytest.fixture
def fixture(personas: Any, monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    built = every_kind.build(personas, monkeypatch)
    personas.admin.language = "ko"
    personas.admin.save(update_fields=["language"])
    return built


def _client_for(route: Any, personas: Any) -> Client:
    """Korean every way a request can ask: the admin's saved language (the fixture), the language
    cookie and the browser's header; public pages as an anonymous visitor."""
    if route.public:
        client = Client()
        client.cookies["atlaschart_language"] = "ko"
    else:
        client = personas.login(personas.admin, browser_language="ko")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ko"
    return client


def test_hostile_values_in_every_form_never_give_a_server_error(fixture, personas) -> None:
    from atlaschart.patients.models import Patient

    failures: list[str] = []
    forms_fuzzed = 0
    # The sign-in policy and staff forms go last: a generated value may require a second factor
    # of the admin, after which every page answers with the enrolment redirect.
    for name, route in sorted(
        ROUTES.items(), key=lambda item: (item[0].startswith("accounts:"), item[0])
    ):
        if route.method != "GET" or route.signed_in_only:
            continue
        client = _client_for(route, personas)
        url = url_of(route, name, fixture)
        page = client.get(url)
        if page.status_code != 200 or "html" not in page.get("Content-Type", ""):
            continue
        parser = _Forms()
        parser.feed(page.content.decode("utf-8", "replace"))
        for form in parser.forms:
            action = urljoin(url, form["action"]) if form["action"] else url
            if urlsplit(action).path.endswith(("/logout/", "/language/")) or not form["fields"]:
                continue
            forms_fuzzed += 1

            _form_fuzzer(client, name, form, action, failures)()
    assert forms_fuzzed >= 15, f"only {forms_fuzzed} forms found to fuzz"
    # Checked in Python: SQLite's LIKE stops at a NUL, so a lookup would match every row.
    texts = Patient.objects.values_list("name", "name_latin", "phone", "address")
    stored = [t for row in texts for t in row if t and ("\x00" in t or "\ud800" in t)]
    assert not stored, f"a NUL or a lone surrogate reached the database: {stored[:3]!r}"
    assert not failures, "\n".join(sorted(set(failures))[:60])


def test_hostile_json_bodies_never_give_a_server_error(fixture, personas) -> None:
    failures: list[str] = []
    for name in sorted(JSON_ROUTES):
        route = ROUTES[name]
        client = _client_for(route, personas)
        url = url_of(route, name, fixture)

        _json_fuzzer(client, name, url, failures)()
    assert not failures, "\n".join(sorted(set(failures))[:60])


def test_hostile_ids_and_query_strings_never_give_a_server_error(fixture, personas) -> None:
    failures: list[str] = []
    for name, route in sorted(ROUTES.items()):
        if route.method != "GET" or route.signed_in_only:
            continue
        client = _client_for(route, personas)
        path = url_of(route, name, fixture)

        _query_fuzzer(client, name, path, failures)()
    assert not failures, "\n".join(sorted(set(failures))[:60])
