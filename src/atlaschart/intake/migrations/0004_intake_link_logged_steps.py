from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0003_submitted_answers_base"),
    ]

    operations = [
        migrations.AddField(
            model_name="intakelink",
            name="logged_steps",
            field=models.JSONField(blank=True, default=list),
        ),
    ]
