"""``atlaschart check --deploy`` says whether the access log is append-only in the database."""

from __future__ import annotations

from django.db import connection, transaction

from atlaschart.audit import guard
from atlaschart.cli import main


def test_check_deploy_reports_the_logs_protection(db, capsys) -> None:
    capsys.readouterr()
    main(["check", "--deploy"])
    out = capsys.readouterr().out
    if connection.vendor == "sqlite":
        assert "access log: append-only by triggers" in out
        assert "PROBLEM: access log" not in out
    else:
        # The test database is reached as the superuser postgres: exactly what production must
        # not do (docs/audit.md); the two-role case is in test_audit_tamper.py.
        assert "access log: NOT protected" in out
        assert "may TRUNCATE audit_accesslogentry" in out


def test_check_deploy_fails_without_the_triggers(db, capsys) -> None:
    capsys.readouterr()
    with transaction.atomic():
        guard.remove(connection)
        code = main(["check", "--deploy"])
        transaction.set_rollback(True)
    out = capsys.readouterr().out
    assert code == 1
    assert "PROBLEM: access log trigger audit_accesslogentry_" in out


def test_plain_check_does_not_look(db, capsys) -> None:
    capsys.readouterr()
    main(["check"])
    assert "access log:" not in capsys.readouterr().out
