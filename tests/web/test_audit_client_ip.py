"""The client address behind trusted proxies: never an entry the client wrote itself."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from atlaschart.audit.models import AccessLogEntry
from atlaschart.lib.client import client_ip

SOCKET = "10.0.0.2"  # the nearest proxy, as the app's socket sees it


def ip(settings, proxies: int, forwarded: str | None) -> str:
    settings.TRUSTED_PROXY_COUNT = proxies
    headers = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    return client_ip(RequestFactory().get("/", REMOTE_ADDR=SOCKET, **headers))


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        # No proxy trusted: the header is the client's own words, ignored.
        (0, "203.0.113.9", SOCKET),
        (0, None, SOCKET),
        # One proxy: it appended the address it saw; whatever the client sent is left of it.
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6,6.6.6.7,   203.0.113.9", "203.0.113.9"),
        # Two proxies (CDN, then nginx): the CDN's entry is second from the right.
        (2, "6.6.6.6, 203.0.113.9, 198.51.100.7", "203.0.113.9"),
        (2, "203.0.113.9, 198.51.100.7", "203.0.113.9"),
        # Shorter than the proxy chain: did not come through our proxies; the socket address.
        (2, "198.51.100.7", SOCKET),
        (1, None, SOCKET),
        (1, "", SOCKET),
        # Not an address: refused, never written into the log.
        (1, "6.6.6.6, <script>", SOCKET),
        (1, "6.6.6.6, 203.0.113.9:443", SOCKET),
        (1, "unknown", SOCKET),
        # IPv6, written in its canonical form.
        (1, "6.6.6.6, 2001:DB8::0:1", "2001:db8::1"),
    ],
)
def test_the_client_is_the_entry_our_outermost_proxy_wrote(
    settings, proxies, forwarded, expected
) -> None:
    assert ip(settings, proxies, forwarded) == expected


def test_a_spoofed_header_does_not_reach_the_log(settings, personas) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    client = personas.login(
        personas.clinician, REMOTE_ADDR=SOCKET, HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9"
    )
    client.get(reverse("patients:chart", args=[personas.patient.pk]))
    assert AccessLogEntry.objects.get().client_ip == "203.0.113.9"


def test_without_trusted_proxies_the_header_is_ignored(settings, personas) -> None:
    settings.TRUSTED_PROXY_COUNT = 0
    client = personas.login(
        personas.clinician, REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="6.6.6.6"
    )
    client.get(reverse("patients:chart", args=[personas.patient.pk]))
    assert AccessLogEntry.objects.get().client_ip == "192.0.2.10"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, 0),
        ({"TRUSTED_PROXY_COUNT": "2"}, 2),
        ({"TRUST_X_FORWARDED_FOR": "1"}, 1),
        ({"TRUST_X_FORWARDED_FOR": "1", "TRUSTED_PROXY_COUNT": "0"}, 0),
    ],
)
def test_the_setting_reads_the_environment(monkeypatch, env, expected) -> None:
    import importlib

    import atlaschart.web.settings as settings_module

    monkeypatch.delenv("TRUSTED_PROXY_COUNT", raising=False)
    monkeypatch.delenv("TRUST_X_FORWARDED_FOR", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    try:
        reloaded = importlib.reload(settings_module)
        assert expected == reloaded.TRUSTED_PROXY_COUNT
    finally:
        monkeypatch.undo()
        importlib.reload(settings_module)


def test_a_bad_setting_stops_the_start(monkeypatch) -> None:
    import importlib

    import atlaschart.web.settings as settings_module

    monkeypatch.setenv("TRUSTED_PROXY_COUNT", "yes")
    try:
        with pytest.raises(ValueError, match="TRUSTED_PROXY_COUNT"):
            importlib.reload(settings_module)
    finally:
        monkeypatch.undo()
        importlib.reload(settings_module)
