"""Each clinic gets a DICOM AE title: its slug in capitals, cut to 16 characters. Two slugs that
agree in their first 16 characters get a numbered ending, so the column can be unique."""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def fill_ae_titles(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Clinic = apps.get_model("clinics", "Clinic")
    taken = set()
    for clinic in Clinic.objects.order_by("id"):
        title = clinic.slug.upper()[:16].strip()
        n = 1
        while title in taken:
            n += 1
            ending = f"-{n}"
            title = clinic.slug.upper()[: 16 - len(ending)].strip() + ending
        taken.add(title)
        clinic.ae_title = title
        clinic.save(update_fields=["ae_title"])


class Migration(migrations.Migration):
    dependencies = [("clinics", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="clinic",
            name="ae_title",
            field=models.CharField(blank=True, default="", max_length=16),
            preserve_default=False,
        ),
        migrations.RunPython(fill_ae_titles, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="clinic",
            name="ae_title",
            field=models.CharField(
                blank=True,
                help_text=(
                    "Called AE title for the clinic's imaging machines; defaults to the short name."
                ),
                max_length=16,
                unique=True,
                verbose_name="DICOM AE title",
            ),
        ),
    ]
