"""One search across pages, people and documents, filtered per user (view restrictions + audience).

Pages are searched with Wagtail's search backend (PostgreSQL: full text with the `indonesian` configuration, so
stemmed forms match; SQLite: FTS5), always over a queryset that the privacy and audience rules have already cut
down, so a title the user may not see can never appear.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from django.db.models import F, Subquery
from django.utils.translation import gettext_lazy as _
from wagtail.search.backends import get_search_backend

from cms.home.audience import audience_q
from cms.home.pages import active_locale_code
from cms.home.privacy import visible_q

MAX_PAGE_HITS = 200


@dataclass
class Group:
    key: str
    label: str
    hits: list = field(default_factory=list)
    total: int = 0


def _page_models():
    from cms.home.models import StandardPage
    from cms.news.models import NewsPage
    from cms.policies.models import PolicyPage
    from cms.training.models import CoursePage

    return [
        ("news", _("News"), NewsPage),
        ("training", _("Training"), CoursePage),
        ("policies", _("Policies"), PolicyPage),
        ("pages", _("Pages"), StandardPage),
    ]


def pages_visible_to(user, model):
    """Live pages of `model` (every locale) that `user` may see and is targeted by."""
    return model.objects.live().filter(audience_q(model, user)).filter(visible_q(user))


# What a hit shows (title, link, language) and what picks one page per translation group: never the bodies. Up to
# MAX_PAGE_HITS pages are read per type to count and order the groups, so every column left out saves 200 times.
HIT_FIELDS = ("title", "url_path", "translation_key", "locale_id")


def search_pages(user, model, query: str) -> list:
    # No ORDER BY inside the IN (...): with it PostgreSQL re-sorts every visible page for each full-text hit
    # (1.4 s → 31 ms at 20,000 news pages, EXPLAIN ANALYZE in docs/performance.md). The subquery holds what
    # pages_visible_to adds to live(): live is checked once, outside, not looked up again for every hit.
    allowed = model.objects.filter(audience_q(model, user)).filter(visible_q(user)).order_by().values("pk")
    qs = (
        model.objects.live()
        .filter(pk__in=Subquery(allowed))
        .only(*HIT_FIELDS)
        .annotate(lang=F("locale__language_code"))  # joined in: no separate read of the locales
    )
    # every word must match ("and"): precise results, and far cheaper than "or" on large sites
    results = list(get_search_backend().search(query, qs, operator="and")[:MAX_PAGE_HITS])
    # one hit per translation group, preferring the reader's language, then Indonesian
    code = active_locale_code()
    best: dict = {}
    for page in results:
        current = best.get(page.translation_key)
        if current is None or (page.lang == code and current.lang != code):
            best[page.translation_key] = page
    seen, ordered = set(), []
    for page in results:
        chosen = best[page.translation_key]
        if chosen.pk not in seen:
            seen.add(chosen.pk)
            ordered.append(chosen)
    return ordered


def _documents_selector():
    try:
        module = importlib.import_module("hr.documents.selectors")
    except ImportError:
        return None
    return getattr(module, "documents_visible_to", None)


def search_documents(user, query: str):
    selector = _documents_selector()
    if selector is None:
        return None
    qs = selector(user)
    for word in query.split()[:6]:
        qs = qs.filter(title__icontains=word)
    return qs.order_by("title", "pk")


def search_all(user, query: str) -> list[Group]:
    from hr.org.selectors import directory_results

    groups = []
    for key, label, model in _page_models():
        hits = search_pages(user, model, query)
        groups.append(Group(key=key, label=label, hits=hits, total=len(hits)))
    people = directory_results(query=query)  # counts once; pages of few matches sorted, not walked
    groups.append(Group(key="people", label=_("People"), hits=people, total=people.count()))
    docs = None
    try:
        docs = search_documents(user, query)
    except Exception:  # noqa: BLE001 - a documents app in flux must not break search
        docs = None
    if docs is not None:
        groups.append(Group(key="documents", label=_("Documents"), hits=docs, total=docs.count()))
    return groups


__all__ = ["search_all", "search_pages", "pages_visible_to"]
