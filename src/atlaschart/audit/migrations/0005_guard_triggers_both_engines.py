"""Refuse UPDATE and DELETE of the log, its anchors and reviews in the database, on SQLite and
PostgreSQL; TRUNCATE too on PostgreSQL (see atlaschart.audit.guard)."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from atlaschart.audit import guard


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    guard.install(schema_editor.connection)


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    guard.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_fill_chain_hashes")]
    operations = [migrations.RunPython(forwards, backwards)]
