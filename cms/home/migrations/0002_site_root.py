from django.db import migrations


def create_homepage(apps, schema_editor):
    """Replace Wagtail's welcome page with Serambi's HomePage and make sure both content locales exist."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    Locale = apps.get_model("wagtailcore", "Locale")
    HomePage = apps.get_model("home", "HomePage")

    locale_id, _ = Locale.objects.get_or_create(language_code="id")
    Locale.objects.get_or_create(language_code="en")
    Page.objects.filter(depth=2, content_type__model="page", content_type__app_label="wagtailcore").delete()
    if HomePage.objects.exists():
        return
    ct, _ = ContentType.objects.get_or_create(model="homepage", app_label="home")
    home = HomePage.objects.create(
        title="Beranda", draft_title="Beranda", slug="beranda", content_type=ct, path="00010001", depth=2,
        numchild=0, url_path="/beranda/", locale=locale_id, live=True,
    )
    root = Page.objects.get(depth=1)
    root.numchild = Page.objects.filter(depth=2).count()
    root.save(update_fields=["numchild"])
    Site.objects.all().delete()
    Site.objects.create(hostname="localhost", root_page=home, is_default_site=True, site_name="Serambi")


class Migration(migrations.Migration):
    dependencies = [("home", "0001_initial"), ("wagtailcore", "0002_initial_data"), ("contenttypes", "0002_remove_content_type_name")]
    operations = [migrations.RunPython(create_homepage, migrations.RunPython.noop)]
