from django.db import migrations, models


class Migration(migrations.Migration):
    """The pinned items of news lists come from this partial index (a handful of rows) instead of a walk over every
    news page newest first in search of them (cms.news.selectors.PinnedFirst)."""

    dependencies = [("news", "0002_news_newest_first_index")]

    operations = [
        migrations.AddIndex(
            model_name="newspage",
            index=models.Index(
                condition=models.Q(("pinned_until__isnull", False)), fields=["pinned_until"], name="news_pinned"
            ),
        ),
    ]
