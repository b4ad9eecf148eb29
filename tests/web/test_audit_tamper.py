"""The database itself refuses to change or remove access log rows, on SQLite and PostgreSQL.

Each way in that code (or an attacker holding the app's connection) might try: the ORM's
``update()``, ``bulk_update`` and ``delete()``, raw SQL, and on PostgreSQL ``TRUNCATE``. The
model's own ``save()``/``delete()`` refusal is bypassed on purpose (``_base_manager``, raw SQL) so
these tests fail if the triggers are gone.
"""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from django.db import DatabaseError, connection, transaction

from atlaschart.audit import guard
from atlaschart.audit.models import AccessLogEntry
from atlaschart.audit.review import sign_off
from atlaschart.audit.services import log_access
from atlaschart.lib.actor import Actor

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")


@pytest.fixture
def entry(personas) -> AccessLogEntry:
    log_access(Actor(personas.clinician, "192.0.2.1"), "view", patient=personas.patient)
    return AccessLogEntry.objects.get()


def refused(sql_or_call) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        if callable(sql_or_call):
            sql_or_call()
        else:
            with connection.cursor() as cursor:
                cursor.execute(sql_or_call)


def test_orm_update_is_refused(entry) -> None:
    refused(lambda: AccessLogEntry._base_manager.filter(pk=entry.pk).update(detail="tampered"))
    assert AccessLogEntry.objects.get().detail == ""


def test_bulk_update_is_refused(entry) -> None:
    entry.detail = "tampered"
    refused(lambda: AccessLogEntry.objects.bulk_update([entry], ["detail"]))
    assert AccessLogEntry.objects.get().detail == ""


def test_orm_delete_is_refused(entry) -> None:
    refused(lambda: AccessLogEntry._base_manager.all().delete())
    assert AccessLogEntry.objects.count() == 1


def test_raw_sql_update_and_delete_are_refused(entry) -> None:
    refused("UPDATE audit_accesslogentry SET client_ip = '10.6.6.6'")
    refused("DELETE FROM audit_accesslogentry")
    assert AccessLogEntry.objects.get().client_ip == "192.0.2.1"


def test_anchors_and_reviews_are_append_only_too(entry, personas) -> None:
    # The admin's sign-off writes a review and the anchor it holds, as the review page does.
    sign_off(personas.admin, date(2026, 11, 1), "")
    refused("UPDATE audit_accessloganchor SET row_hash = 'x'")
    refused("DELETE FROM audit_accessloganchor")
    refused("UPDATE audit_accesslogreview SET note = 'x'")
    refused("DELETE FROM audit_accesslogreview")


@postgres_only
def test_truncate_is_refused_on_postgres(entry) -> None:
    refused("TRUNCATE audit_accesslogentry CASCADE")
    refused("TRUNCATE audit_accessloganchor CASCADE")
    assert AccessLogEntry.objects.count() == 1


def test_the_guard_is_what_refuses(entry) -> None:
    """Without the triggers the same update goes through: the tests above test the triggers."""
    with transaction.atomic():
        guard.remove(connection)
        AccessLogEntry._base_manager.filter(pk=entry.pk).update(detail="tampered")
        transaction.set_rollback(True)
    assert AccessLogEntry.objects.get().detail == ""


def test_the_guard_installs_every_trigger(db) -> None:
    assert all(guard.present_triggers(connection).values())


@postgres_only
def test_runtime_role_may_not_change_or_truncate_and_the_check_says_so(entry, personas) -> None:
    """The two-role set-up of docs/audit.md, with a throw-away runtime role."""
    role = f"atlaschart_runtime_{uuid.uuid4().hex[:8]}"
    tables = ", ".join(guard.GUARDED_TABLES)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
        # As the owner: the superuser postgres is flagged (owner, every privilege).
        assert any("may TRUNCATE" in p for p in guard.protection_problems(connection))
        cursor.execute(f"GRANT SELECT, INSERT ON {tables} TO {role}")
        cursor.execute(f"SET ROLE {role}")
        try:
            assert guard.protection_problems(connection) == []
            # The runtime role can still append (the chain lock and head need no more).
            log_access(Actor(personas.clinician), "view", patient=personas.patient)
            assert AccessLogEntry.objects.count() == 2
            for sql in (
                "UPDATE audit_accesslogentry SET detail = 'x'",
                "DELETE FROM audit_accesslogentry",
                "TRUNCATE audit_accesslogentry",
                "DROP TRIGGER audit_accesslogentry_no_truncate ON audit_accesslogentry",
            ):
                with pytest.raises(DatabaseError), transaction.atomic():
                    cursor.execute(sql)
        finally:
            cursor.execute("RESET ROLE")
        cursor.execute(f"GRANT TRUNCATE ON audit_accesslogentry TO {role}")
        cursor.execute(f"SET ROLE {role}")
        try:
            assert guard.protection_problems(connection) == [
                f"the database role {role} may TRUNCATE audit_accesslogentry"
            ]
        finally:
            cursor.execute("RESET ROLE")


def test_the_check_finds_a_missing_trigger(db) -> None:
    with transaction.atomic():
        guard.remove(connection)
        problems = guard.protection_problems(connection)
        transaction.set_rollback(True)
    assert any("audit_accesslogentry" in p and "missing" in p for p in problems)
    assert not any("missing" in p for p in guard.protection_problems(connection))


@pytest.mark.django_db(transaction=True)
def test_the_test_suites_flush_still_empties_the_log_and_restores_the_guard(personas) -> None:
    from django.core.management import call_command

    log_access(Actor(personas.clinician), "view", patient=personas.patient)
    call_command("flush", interactive=False, verbosity=0)
    assert not AccessLogEntry.objects.exists()
    assert all(guard.present_triggers(connection).values())
