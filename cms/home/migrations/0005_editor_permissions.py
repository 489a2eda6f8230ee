"""Editors and Moderators may switch the site alert banner on and off and manage news categories."""

from django.db import migrations

GRANTS = [
    ("home", "sitealert", "change", "Can change site alert"),
    ("news", "newscategory", "add", "Can add news category"),
    ("news", "newscategory", "change", "Can change news category"),
    ("news", "newscategory", "view", "Can view news category"),
]


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    groups = [Group.objects.get_or_create(name=name)[0] for name in ("Editors", "Moderators")]
    for app_label, model, action, name in GRANTS:
        ct, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        perm, _ = Permission.objects.get_or_create(content_type=ct, codename=f"{action}_{model}", defaults={"name": name})
        for group in groups:
            group.permissions.add(perm)


class Migration(migrations.Migration):
    dependencies = [("home", "0004_sections_and_workflow"), ("news", "0001_initial")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
