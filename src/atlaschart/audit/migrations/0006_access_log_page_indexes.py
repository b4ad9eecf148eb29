"""The access log page's indexes: one per filter, each ending in the page's keyset order (at, id).

Indexes only: the rows, their hash chain and the append-only triggers are untouched (on SQLite
``CREATE INDEX`` does not rebuild the table, so its triggers stay; ``AuditConfig`` checks after
every migrate anyway).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0005_guard_triggers_both_engines"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="accesslogentry",
            name="audit_acces_clinic__b26699_idx",
        ),
        migrations.RemoveIndex(
            model_name="accesslogentry",
            name="audit_acces_patient_e46606_idx",
        ),
        migrations.AddIndex(
            model_name="accesslogentry",
            index=models.Index(fields=["clinic", "at", "id"], name="audit_log_clinic_time"),
        ),
        migrations.AddIndex(
            model_name="accesslogentry",
            index=models.Index(
                fields=["clinic", "user", "at", "id"], name="audit_log_clinic_user_time"
            ),
        ),
        migrations.AddIndex(
            model_name="accesslogentry",
            index=models.Index(
                fields=["clinic", "action", "at", "id"], name="audit_log_clinic_action_time"
            ),
        ),
        migrations.AddIndex(
            model_name="accesslogentry",
            index=models.Index(fields=["patient", "at", "id"], name="audit_log_patient_time"),
        ),
        migrations.AddIndex(
            model_name="accesslogentry",
            index=models.Index(
                fields=["clinic", "client_ip"],
                name="audit_log_clinic_ip_prefix",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
        ),
    ]
