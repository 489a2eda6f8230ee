from django.db import migrations

ROLE_GROUPS = ["Pegawai", "Pengelola Kepegawaian", "Pengelola Gaji", "Editors", "Moderators", "Administrator", "Auditor"]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLE_GROUPS:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length"), ("wagtailcore", "0002_initial_data")]
    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
