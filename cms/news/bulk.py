"""Fast creation of many live news pages (seed at ministry scale, query-count tests).

Wagtail's `add_child` costs a dozen queries per page; here the treebeard paths are computed once, the Page rows are
bulk-inserted and the NewsPage rows inserted with one executemany. No revisions are created (the pages are simply
live, as after an import), and the search index is updated in bulk.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from wagtail.models import Page
from wagtail.search.backends import get_search_backend

from .models import NewsIndexPage, NewsPage


def _child_rows(model, objs):
    fields = [f for f in model._meta.local_concrete_fields]
    columns = [f.column for f in fields]
    rows = [[f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields] for obj in objs]
    return columns, rows


def bulk_create_news(
    *, parent: NewsIndexPage, items: list[dict], index: bool = True, batch: int = 1000
) -> list[NewsPage]:
    """Create a live NewsPage under `parent` for each dict of NewsPage field values in `items` (title and slug
    required; slugs must be unique among the parent's children). Returns the created pages."""
    created: list[NewsPage] = []
    ct = ContentType.objects.get_for_model(NewsPage)
    now = timezone.now()
    with transaction.atomic():
        parent = Page.objects.select_for_update().get(pk=parent.pk)
        last = Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1).order_by("-path").first()
        step = Page._str2int(last.path[-Page.steplen :]) if last else 0
        for start in range(0, len(items), batch):
            chunk = items[start : start + batch]
            objs = []
            for item in chunk:
                step += 1
                page = NewsPage(
                    path=Page._get_path(parent.path, parent.depth + 1, step),
                    depth=parent.depth + 1,
                    numchild=0,
                    url_path=f"{parent.url_path}{item['slug']}/",
                    draft_title=item["title"],
                    content_type=ct,
                    live=True,
                    has_unpublished_changes=False,
                    first_published_at=now,
                    last_published_at=now,
                    locale_id=parent.locale_id,
                    **item,
                )
                objs.append(page)
            base = Page.objects.bulk_create([_as_page(p) for p in objs])
            for page, row in zip(objs, base, strict=True):
                page.pk = page.page_ptr_id = page.id = row.pk
            columns, rows = _child_rows(NewsPage, objs)
            table = connection.ops.quote_name(NewsPage._meta.db_table)
            cols = ", ".join(connection.ops.quote_name(c) for c in columns)
            marks = ", ".join(["%s"] * len(columns))
            with connection.cursor() as cursor:
                cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)  # noqa: S608 - names from _meta
            created.extend(objs)
        Page.objects.filter(pk=parent.pk).update(numchild=F("numchild") + len(items))
    if index and created:
        get_search_backend().add_bulk(NewsPage, created)
    from .dashboard import bump_generation

    bump_generation()
    return created


def _as_page(news: NewsPage) -> Page:
    values = {f.attname: getattr(news, f.attname) for f in Page._meta.concrete_fields if f.attname != "id"}
    return Page(**values)
