"""Indexes for patient search on PostgreSQL (``atlaschart.patients.access.search_patients``).

A word of three or more characters is ``search_text LIKE '%word%'``, which pg_trgm's GIN
index answers (``patients_search_trigram``). A trigram index cannot answer one or two characters
(a Korean family or given name: 김, 민준), so a second GIN index holds the characters of
``search_text`` as an array (``string_to_array(search_text, NULL)``): the patients that have every
character of the word, among whom the same ``LIKE`` then decides (``patients_search_characters``).
A word as common as 김 (one patient in five) is answered faster by reading the clinic's patients
in the order the page shows them (name, id) until 50 match: ``patients_by_clinic_name``. The
planner picks among the three from the statistics ANALYZE keeps.

SQLite has neither; there a search stays a ``LIKE`` scan (a single clinic's SQLite database holds
few enough patients). Nothing here runs on SQLite: ``TrigramExtension`` skips other engines
itself, and the statements below check the engine. ``CREATE EXTENSION pg_trgm`` needs the
database's owner (pg_trgm is a trusted extension from PostgreSQL 13).
"""

from django.contrib.postgres.operations import TrigramExtension
from collections.abc import Callable

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

# The expression must stay the one atlaschart.patients.access.Characters writes, or the planner
# will not match the query to the index.
FORWARD = (
    "CREATE INDEX IF NOT EXISTS patients_search_trigram ON patients_patient "
    "USING gin (search_text gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS patients_search_characters ON patients_patient "
    "USING gin (string_to_array(search_text, NULL))",
    "CREATE INDEX IF NOT EXISTS patients_by_clinic_name ON patients_patient (clinic_id, name, id)",
)

BACKWARD = (
    "DROP INDEX IF EXISTS patients_by_clinic_name",
    "DROP INDEX IF EXISTS patients_search_characters",
    "DROP INDEX IF EXISTS patients_search_trigram",
)


def _run(
    statements: tuple[str, ...],
) -> Callable[[StateApps, BaseDatabaseSchemaEditor], None]:
    def run(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("patients", "0002_patient_no_followup_messages")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(_run(FORWARD), _run(BACKWARD)),
    ]
