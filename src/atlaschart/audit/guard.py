"""Database triggers that refuse to change or remove access log rows, on both engines.

The tables guarded are the log itself, its anchors and the monthly review sign-offs. On SQLite
the triggers refuse UPDATE and DELETE; on PostgreSQL also TRUNCATE (a statement trigger; row
triggers do not see it). Triggers stop the app's own code, a stray ``QuerySet.update()`` or raw
SQL; they do not stop the tables' owner, who may drop them: on PostgreSQL the app therefore runs
as a second role without UPDATE, DELETE or TRUNCATE on these tables (docs/audit.md), and
``atlaschart check --deploy`` verifies both.

SQLite drops a table's triggers when a migration rebuilds the table, so :func:`install` also runs
after every ``migrate`` (``apps.AuditConfig``) and creates whatever is missing.
"""

from __future__ import annotations

from typing import Any

GUARDED_TABLES = ("audit_accesslogentry", "audit_accessloganchor", "audit_accesslogreview")
PG_FUNCTION = "atlaschart_append_only"

_PG_FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql
"""


def expected_triggers(vendor: str) -> dict[str, str]:
    """Trigger name -> table, for this database engine."""
    if vendor == "postgresql":
        suffixes = ("no_change", "no_truncate")
    else:
        suffixes = ("no_update", "no_delete")
    return {f"{table}_{suffix}": table for table in GUARDED_TABLES for suffix in suffixes}


def _create_sql(vendor: str, name: str, table: str) -> str:
    if vendor == "postgresql":
        if name.endswith("_no_truncate"):
            event, level = "TRUNCATE", "STATEMENT"
        else:
            event, level = "UPDATE OR DELETE", "ROW"
        return (
            f"CREATE TRIGGER {name} BEFORE {event} ON {table} "
            f"FOR EACH {level} EXECUTE FUNCTION {PG_FUNCTION}()"
        )
    event = "UPDATE" if name.endswith("_no_update") else "DELETE"
    return (
        f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {event} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {event} refused'); END"
    )


def present_triggers(connection: Any) -> dict[str, bool]:
    """Each expected trigger -> whether it exists and is enabled."""
    expected = expected_triggers(connection.vendor)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname, tgenabled <> 'D' FROM pg_trigger "
                "WHERE NOT tgisinternal AND tgrelid::regclass::text = ANY(%s)",
                [list(GUARDED_TABLES)],
            )
            found = dict(cursor.fetchall())
        else:
            cursor.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")
            found = {name: table in GUARDED_TABLES for name, table in cursor.fetchall()}
    return {name: bool(found.get(name, False)) for name in expected}


def install(connection: Any) -> None:
    """Create every missing trigger (idempotent). Needs the tables' owner."""
    if connection.vendor not in {"postgresql", "sqlite"}:
        return
    tables = set(connection.introspection.table_names())
    present = present_triggers(connection)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_PG_FUNCTION_SQL)
        for name, table in expected_triggers(connection.vendor).items():
            if table in tables and not present[name]:
                if connection.vendor == "postgresql":
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                cursor.execute(_create_sql(connection.vendor, name, table))


def remove(connection: Any) -> None:
    """Drop the triggers (migrating backwards; the test suite's flush, see the flush command)."""
    with connection.cursor() as cursor:
        for name, table in expected_triggers(connection.vendor).items():
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


RUNTIME_REFUSED = ("UPDATE", "DELETE", "TRUNCATE")


def protection_problems(connection: Any) -> list[str]:
    """What keeps the log from being append-only for the role this connection runs as.

    Both engines: every guard trigger exists and is enabled. PostgreSQL also: the role is not the
    tables' owner (an owner may drop the triggers) and holds none of UPDATE, DELETE, TRUNCATE on
    them (``has_table_privilege``, which also answers yes for a superuser).
    """
    problems = [
        f"access log trigger {name} is missing or disabled (run `atlaschart migrate`)"
        for name, on in present_triggers(connection).items()
        if not on
    ]
    if connection.vendor != "postgresql":
        return problems
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        (role,) = cursor.fetchone()
        for table in GUARDED_TABLES:
            cursor.execute(
                "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = %s::regclass", [table]
            )
            (owner,) = cursor.fetchone()
            if owner == role:
                problems.append(
                    f"the app connects as {role}, the owner of {table}, who can drop its "
                    "triggers: run it as a runtime role (docs/audit.md)"
                )
            for privilege in RUNTIME_REFUSED:
                cursor.execute(
                    "SELECT has_table_privilege(current_user, %s, %s)", [table, privilege]
                )
                if cursor.fetchone()[0]:
                    problems.append(f"the database role {role} may {privilege} {table}")
    return problems
