from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_keyed_chain")]

    operations = [
        migrations.AlterField(
            "auditentry", "seq", models.PositiveBigIntegerField(unique=True, verbose_name="sequence number")
        ),
    ]
