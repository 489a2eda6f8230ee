from django.db import migrations, models


class Migration(migrations.Migration):
    """News lists walk this index newest first and stop at the page size (cms.news.selectors.PinnedFirst)."""

    dependencies = [("news", "0001_initial")]

    operations = [
        migrations.AddIndex(
            model_name="newspage",
            index=models.Index(fields=["-date", "-page_ptr"], name="news_newest_first"),
        ),
    ]
