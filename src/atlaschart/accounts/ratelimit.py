"""Login rate limit: failures counted per client IP and per username in the cache.

A fixed window per key (simple, and enough to stop password guessing): after
``LOGIN_FAILURE_LIMIT`` failures within ``LOGIN_FAILURE_WINDOW_SECONDS`` further attempts are
refused without checking the password, until the window passes.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def _keys(ip: str, username: str) -> list[str]:
    name_digest = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    return [f"login-fail:ip:{ip}", f"login-fail:user:{name_digest}"]


def is_locked_out(ip: str, username: str) -> bool:
    limit = settings.LOGIN_FAILURE_LIMIT
    return any((cache.get(key) or 0) >= limit for key in _keys(ip, username))


def record_failure(ip: str, username: str) -> None:
    for key in _keys(ip, username):
        if cache.add(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def clear_failures(ip: str, username: str) -> None:
    cache.delete_many(_keys(ip, username))
