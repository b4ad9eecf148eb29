"""Entries written before the hash chain existed get their place in it (migration audit.0004),
and running the fill again changes nothing."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as current_apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from atlaschart.audit import guard
from atlaschart.audit.models import AccessLogEntry
from atlaschart.audit.verify import verify_chain

BEFORE_THE_CHAIN = ("audit", "0002_append_only_trigger")


@pytest.mark.django_db(transaction=True)
def test_existing_entries_are_chained_by_the_data_migration(personas) -> None:
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate([BEFORE_THE_CHAIN])
    old = executor.loader.project_state([BEFORE_THE_CHAIN]).apps.get_model(
        "audit", "AccessLogEntry"
    )
    for n in range(3):
        old.objects.create(
            clinic_id=personas.seoul.pk,
            user_id=personas.clinician.pk,
            username="clinician",
            patient_id=personas.patient.pk,
            action="view",
            detail=f"old {n}",
        )
    executor = MigrationExecutor(connection)
    executor.migrate(leaves)

    entries = list(AccessLogEntry.objects.order_by("id"))
    assert [(e.seq, e.detail) for e in entries] == [(1, "old 0"), (2, "old 1"), (3, "old 2")]
    assert verify_chain().ok
    assert all(guard.present_triggers(connection).values())

    fill = importlib.import_module("atlaschart.audit.migrations.0004_fill_chain_hashes").fill
    with connection.schema_editor() as editor:
        fill(current_apps, editor)  # again: nothing left to fill, so no UPDATE is even tried
    assert [e.row_hash for e in AccessLogEntry.objects.order_by("id")] == [
        e.row_hash for e in entries
    ]
    assert all(guard.present_triggers(connection).values())
