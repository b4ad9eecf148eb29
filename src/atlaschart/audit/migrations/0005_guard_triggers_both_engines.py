"""Refuse UPDATE and DELETE of the log, its anchors and reviews in the database, on SQLite and
PostgreSQL; TRUNCATE too on PostgreSQL (see atlaschart.audit.guard)."""

from django.db import migrations

from atlaschart.audit import guard


def forwards(apps, schema_editor):
    guard.install(schema_editor.connection)


def backwards(apps, schema_editor):
    guard.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_fill_chain_hashes")]
    operations = [migrations.RunPython(forwards, backwards)]
