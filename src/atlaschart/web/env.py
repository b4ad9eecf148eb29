"""Typed readers for configuration from environment variables (cf. healthchecks' envbool/envint)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def database_from_url(url: str, base_dir: Path) -> dict[str, Any]:
    """Django DATABASES entry from ``postgres://user:pass@host:port/name`` or ``sqlite:///path``.

    A relative SQLite path is taken relative to ``base_dir``.
    """
    parts = urlsplit(url)
    if parts.scheme in {"postgres", "postgresql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    if parts.scheme == "sqlite":
        raw = url[len("sqlite:///") :]
        path = Path(raw) if raw.startswith("/") else base_dir / raw
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}
    raise ValueError(f"DATABASE_URL scheme {parts.scheme!r} is not supported (postgres or sqlite)")
