"""Counting a page's SQL statements the same way on SQLite and PostgreSQL (support for the
query-count tests; not a test module)."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


def statements(ctx: CaptureQueriesContext) -> list[str]:
    """The statements run, less PostgreSQL's advisory lock that orders the access-log chain (one
    per log write; SQLite serialises writes without it), so the counts hold on both."""
    return [q["sql"] for q in ctx.captured_queries if "pg_advisory_xact_lock" not in q["sql"]]


def page_queries(client: Client, url: str, params: dict[str, str] | None = None) -> list[str]:
    """The statements one GET of ``url`` runs (it must answer 200)."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200, url
    return statements(ctx)


def assert_queries(
    client: Client, url: str, expected: int, params: dict[str, str] | None = None
) -> None:
    sql = page_queries(client, url, params)
    assert len(sql) == expected, f"{url}: {len(sql)} queries, pinned at {expected}:\n" + "\n".join(
        sql
    )
