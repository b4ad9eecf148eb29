"""``flush`` that may empty the append-only tables too.

Django's test runner empties every table with ``flush`` after each transactional test (live
server and browser tests). The guard triggers would refuse that, so this command drops them for
the one transaction the flush runs in and puts them back before it commits. It needs the tables'
owner: the PostgreSQL runtime role cannot do it (docs/audit.md), and on SQLite whoever can run
``flush`` can delete the database file anyway.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from atlaschart.audit import guard


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        with transaction.atomic(using=connection.alias):
            guard.remove(connection)
            super().handle(**options)
            guard.install(connection)
