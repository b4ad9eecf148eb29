"""Facts about the HTTP client that the access log and the rate limits need."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's IP address, as the nearest trusted proxies saw it.

    With ``TRUSTED_PROXY_COUNT = N`` (N reverse proxies in front of the app, each appending the
    address it received the request from to ``X-Forwarded-For``), the client is the N-th entry
    from the right: the one our outermost proxy wrote. Entries further left came from the client
    and may be anything, so they are never used. With N = 0, or a header shorter than N entries,
    or an entry that is not an IP address, the answer is the socket's ``REMOTE_ADDR``.
    """
    remote = str(request.META.get("REMOTE_ADDR", ""))[:45]
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    entries = [e.strip() for e in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    if len(entries) < count:
        return remote
    candidate = entries[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
