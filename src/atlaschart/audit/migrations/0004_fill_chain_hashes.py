"""Give every existing access log entry its place in the hash chain.

Runs before the guard triggers of 0005 exist (the PostgreSQL trigger of 0002 is dropped first:
it would refuse these updates). Batched, in id order, and idempotent: it continues from the
newest entry already chained and touches only entries without a place.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from atlaschart.audit.chain import GENESIS, HASHED_FIELDS, entry_hash

BATCH = 1000
OLD_PG_TRIGGER = """
DROP TRIGGER IF EXISTS audit_accesslogentry_append_only ON audit_accesslogentry;
DROP FUNCTION IF EXISTS audit_accesslogentry_append_only();
"""


def fill(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(OLD_PG_TRIGGER)
    Entry = apps.get_model("audit", "AccessLogEntry")
    db = schema_editor.connection.alias
    entries = Entry.objects.using(db)
    head = entries.filter(seq__isnull=False).order_by("-seq").values_list("seq", "row_hash").first()
    seq, prev_hash = head if head is not None else (0, GENESIS)
    last_id = 0
    while True:
        batch = list(entries.filter(seq__isnull=True, id__gt=last_id).order_by("id")[:BATCH])
        if not batch:
            return
        for entry in batch:
            seq += 1
            entry.seq = seq
            entry.prev_hash = prev_hash
            values = {name: getattr(entry, name) for name in HASHED_FIELDS}
            entry.row_hash = prev_hash = entry_hash(values, prev_hash)
        Entry.objects.using(db).bulk_update(batch, ["seq", "prev_hash", "row_hash"])
        last_id = batch[-1].id


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_chain_anchors_reviews")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
