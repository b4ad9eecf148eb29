"""``atlaschart check --deploy`` warns when PostgreSQL's autovacuum is off (stale statistics made
the access log page 9x slower at 10 million rows: bench/access_log_scale.py)."""

from __future__ import annotations

import pytest
from django.db import connection

from atlaschart.cli import main
from atlaschart.commands import check

pytestmark = pytest.mark.skipif(
    "postgres" not in __import__("os").environ.get("DATABASE_URL", ""),
    reason="PostgreSQL only (DATABASE_URL=postgres://...)",
)


def server_setting() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        return cursor.fetchone()[0]


def test_the_servers_autovacuum_is_reported_as_it_is(db, capsys) -> None:
    """Whatever this server runs with (this machine's CI server has it off, for speed)."""
    capsys.readouterr()
    code = main(["check", "--deploy"])
    out = capsys.readouterr().out
    if server_setting() == "on":
        assert "autovacuum: on" in out and "WARNING: PostgreSQL's autovacuum" not in out
    else:
        assert "autovacuum: OFF" in out
        assert "WARNING: PostgreSQL's autovacuum is off (SHOW autovacuum)" in out
    # A warning does not fail the check (the superuser's privileges on the log do, see
    # test_audit_check.py).
    assert code == 1 and "PROBLEM: autovacuum" not in out


def test_autovacuum_off_for_the_log_table_is_warned(db, capsys) -> None:
    """A real ALTER TABLE on the test database (rolled back with the test's transaction)."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_accesslogentry SET (autovacuum_enabled = false)")
    capsys.readouterr()
    main(["check", "--deploy"])
    out = capsys.readouterr().out
    assert ", off for 1 table(s)" in out
    assert (
        "WARNING: autovacuum is off for the table audit_accesslogentry "
        "(autovacuum_enabled = false): ALTER TABLE audit_accesslogentry RESET "
        "(autovacuum_enabled)"
    ) in out


class FakeSettings:
    """A cursor whose ``current_setting`` answer is replaced: ``autovacuum`` is a server
    setting (postgresql.conf, reload), which no test may change for the server it shares."""

    def __init__(self, cursor, answer: tuple[str, str]) -> None:
        self.cursor = cursor
        self.answer = answer
        self.fake = False

    def __enter__(self):
        self.cursor.__enter__()
        return self

    def __exit__(self, *exc):
        return self.cursor.__exit__(*exc)

    def execute(self, sql, params=None):
        self.fake = "current_setting('autovacuum')" in sql
        return self.cursor.execute(sql, params)

    def fetchone(self):
        return self.answer if self.fake else self.cursor.fetchone()

    def fetchall(self):
        return self.cursor.fetchall()


@pytest.mark.parametrize(
    ("answer", "warned"),
    [
        (("on", "on"), None),
        (("off", "on"), "PostgreSQL's autovacuum is off (SHOW autovacuum)"),
        (("on", "off"), "track_counts is off"),
    ],
)
def test_the_server_settings_decide_the_warning(db, monkeypatch, answer, warned) -> None:
    real_cursor = connection.cursor
    monkeypatch.setattr(connection, "cursor", lambda: FakeSettings(real_cursor(), answer))
    warnings = check._autovacuum(connection)
    if warned is None:
        assert warnings == []
    else:
        assert len(warnings) == 1 and warnings[0].startswith(warned)
