"""The hash chain that makes the access log tamper-evident.

Each entry stores its place in the chain (``seq``, 1, 2, 3... with no gaps), the previous entry's
hash (``prev_hash``) and its own ``row_hash``: SHA-256 over a canonical encoding of its content
and ``prev_hash``. Changing a row breaks its own hash; removing one leaves a gap in ``seq`` and a
``prev_hash`` that matches nothing; cutting off the newest rows is caught by an anchor (an
append-only record of the chain head at a moment, see ``AccessLogAnchor``).

Inserts are serialised so the chain stays linear: on PostgreSQL with a transaction-level advisory
lock (held until the inserting transaction commits), on SQLite by the write lock every
``BEGIN IMMEDIATE`` transaction takes. The unique ``seq`` is the backstop: a fork cannot be
stored.

Nothing here imports the models, so migrations can use :func:`entry_hash` on historical rows.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64
# Part of every hashed message, so a future change of the encoding is a new version, not a
# silent mismatch.
FORMAT = "atlaschart-access-log-v1"
# pg_advisory_xact_lock key: any constant that no other part of the app uses.
ADVISORY_LOCK_KEY = 0x41544C53_41554449  # "ATLSAUDI"

HASHED_FIELDS = (
    "seq",
    "at",
    "clinic_id",
    "user_id",
    "username",
    "client_ip",
    "patient_id",
    "action",
    "object_type",
    "object_id",
    "detail",
)


def canonical_time(at: datetime) -> str:
    """UTC, microseconds always written, so both databases give back the same text."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def entry_hash(values: dict[str, Any], prev_hash: str) -> str:
    """SHA-256 (hex) of one entry's content and the previous entry's hash."""
    content: list[Any] = [FORMAT]
    for name in HASHED_FIELDS:
        value = values[name]
        content.append(canonical_time(value) if name == "at" else value)
    content.append(prev_hash)
    message = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(message.encode("utf-8")).hexdigest()


def lock_chain(connection: Any) -> None:
    """Serialise appends until the current transaction ends (call inside ``atomic``)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
    # SQLite: the settings open every transaction with BEGIN IMMEDIATE, which already holds the
    # database's single write lock; the unique seq refuses a fork if that is ever changed.
