"""One search across pages, people and documents, filtered per user (view restrictions + audience).

Pages are searched with Wagtail's search backend (PostgreSQL: full text with the `indonesian` configuration, so
stemmed forms match; SQLite: FTS5), always over a queryset that the privacy and audience rules have already cut
down, so a title the user may not see can never appear.

What a search finds is kept in the cache, per group, under keys that say whose answer it is (`search_all`):
- pages: per audience profile (`Viewer.key`: unit, roles, superuser — all that targeting and view restrictions
  look at), language and query, for 10 minutes, stamped with the pages, news and view-restriction generations: any
  publish, unpublish, deletion, move or restriction change retires every copy at once. Only titles, languages and
  tree paths are kept (links are worked out for the hits shown). Which of the small page types match the query at
  all is kept per query for every reader, so a reader's first search skips the types where nothing matches; and each
  type's matches are ranked once per query for every reader (`ranked_matches`): a new audience profile's hits are
  the first matches it may see, read in rank order, not a full-text ranking of its own;
- people: the directory is the same for every reader; per language and query, for 10 minutes, stamped with the
  organisation generation (any change to who is where, and every directory sync that changed something, bumps it);
- documents: per reader and query, for a minute, stamped with the reader's and the organisation generations (a
  change of unit or HR scope retires the copy at once). Only the count and the ids of the first few are kept; their
  titles are read again with the reader's access rules on every use, so a document the reader lost access to (or
  renamed away from the query) is never shown from the cache. A new document, or the count's change when one goes,
  shows within the minute (at once when the reader is notified of it).
The group being paged through (`?type=`) of people or documents is read live, with its count.
"""

from __future__ import annotations

import functools
import importlib
import logging
import pickle
import zlib
from dataclasses import dataclass, field
from functools import reduce
from operator import and_
from typing import NamedTuple

from django.db.models import F, Q, Subquery
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.models import Site
from wagtail.search.backends import get_search_backend

from cms.base.audience import audience_q, viewer_for
from cms.base.pages import active_locale_code
from cms.base.privacy import PRIVACY_GENERATION_KEY, visible_q
from cms.base.routing import PAGES_GENERATION_KEY
from cms.home.models import StandardPage
from cms.news.dashboard import GENERATION_KEY as NEWS_GENERATION_KEY
from cms.news.models import NewsPage
from cms.policies.models import PolicyPage
from cms.training.models import CoursePage
from hr.org.selectors import directory_results
from hr.org.signals import ORG_GENERATION_KEY
from intranet.core.caching import cache_set, digest, generations_with, user_generation_key

log = logging.getLogger(__name__)

MAX_PAGE_HITS = 200
PER_GROUP = 5  # hits shown per group on the overview
GROUP_KEYS = ("news", "training", "policies", "pages", "people", "documents")
PAGES_SECONDS = 600  # retired by the generations long before, whenever content or restrictions change
PEOPLE_SECONDS = 600  # as the directory's own copies: retired at once by the organisation generation
DOCUMENTS_SECONDS = 60
KEY_PREFIX = "cms:search:3"  # the number changes with the shape of what is kept (PageHit, PersonHit, ...)


@dataclass
class Group:
    key: str
    label: str
    hits: object = field(default_factory=list)  # every hit, for paging: a list, or a live sliceable result
    total: int = 0
    preview: list = field(default_factory=list)  # the first PER_GROUP hits


class PageHit(NamedTuple):
    """What the results show of a page (kept in the cache; never the page's body). `url` is None until worked out
    (`PageHits`)."""

    title: str
    url: str | None
    lang: str
    path: str  # the tree path, from which Wagtail works out the link


class Named(NamedTuple):
    name: str


class PersonHit(NamedTuple):
    """What the results show of a person: the attributes the template reads of an Employee, names already in the
    reader's language."""

    pk: int
    full_name: str
    position: Named | None
    unit: Named | None


def _page_models():
    return [
        ("news", _("News"), NewsPage),
        ("training", _("Training"), CoursePage),
        ("policies", _("Policies"), PolicyPage),
        ("pages", _("Pages"), StandardPage),
    ]


# Page types with few pages, where most words find nothing: whether any live page of the type matches at all is asked
# once per query for every reader (`_matching_types`), and readers skip the types where nothing does (each search of a
# type costs 5–6 ms of query building, whatever it finds). News is searched per reader straight away: with thousands
# of items nearly every word finds some, and asking first would only add a query.
PROBED = frozenset({"training", "policies", "pages"})


def pages_visible_to(user, model):
    """Live pages of `model` (every locale) that `user` may see and is targeted by."""
    return model.objects.live().filter(audience_q(model, user)).filter(visible_q(user))


def normalize(query: str) -> str:
    """The query as the searches read it, so that equal searches share one cached answer: every search splits on
    whitespace and ignores case (full text lower-cases its terms; names and titles are matched with LIKE ignoring
    case). Only ASCII is lower-cased: SQLite's LIKE ignores the case of ASCII letters only."""
    text = " ".join(query.split())
    return text.lower() if text.isascii() else text


# What a hit shows (title, link, language) and what picks one page per translation group: never the bodies. Up to
# MAX_PAGE_HITS pages are read per type to count and order the groups, so every column left out saves 200 times.
HIT_FIELDS = ("title", "url_path", "translation_key", "locale_id")


def _visible_hits(user, model):
    # No ORDER BY inside the IN (...): with it PostgreSQL re-sorts every visible page for each full-text hit
    # (1.4 s → 31 ms at 20,000 news pages, EXPLAIN ANALYZE in docs/performance.md). The subquery holds what
    # pages_visible_to adds to live(): live is checked once, outside, not looked up again for every hit.
    allowed = model.objects.filter(audience_q(model, user)).filter(visible_q(user)).order_by().values("pk")
    # the language joined in: no separate read of the locales
    return model.objects.live().filter(pk__in=Subquery(allowed)).annotate(lang=F("locale__language_code"))


def _ranked(qs, query: str, identity) -> list:
    """The best MAX_PAGE_HITS matches in `qs`, one per translation group (`_one_per_group`)."""
    # every word must match ("and"): precise results, and far cheaper than "or" on large sites
    return _one_per_group(list(get_search_backend().search(query, qs, operator="and")[:MAX_PAGE_HITS]), identity)


def _one_per_group(results: list, identity) -> list:
    """`results` (best first) with one row per translation group: the reader's language where the group has it,
    else its best-ranked page. `identity(row)` is (pk, translation key, language) of a row."""
    code = active_locale_code()
    best: dict = {}
    for row in results:
        _pk, key, lang = identity(row)
        current = best.get(key)
        if current is None or (lang == code and identity(current)[2] != code):
            best[key] = row
    seen, ordered = set(), []
    for row in results:
        chosen = best[identity(row)[1]]
        pk = identity(chosen)[0]
        if pk not in seen:
            seen.add(pk)
            ordered.append(chosen)
    return ordered


# A word's matches are ranked once for every reader: a page's rank does not depend on who reads, only whether they
# may see it does. The ranked ids are kept per type and query under the content generations; a reader's hits are the
# first MAX_PAGE_HITS of them that the reader may see, read RANKED_CHUNK ids at a time in rank order (one query for
# most readers). Ranking 2,462 matches of "sosialisasi" costs PostgreSQL 13 ms, which every audience profile paid.
RANKED_MAX = 2000  # ids kept per query; when a reader sees fewer than MAX_PAGE_HITS of them, their own search runs
RANKED_CHUNK = 400


@dataclass(frozen=True)
class Ranked:
    """The live pages of a type matching a query, best first (`ids`); `complete` when they are all the matches."""

    ids: tuple[int, ...]
    complete: bool


def ranked_matches(model, query: str, kept, key: str, gens: tuple) -> Ranked:
    """The word's ranked matches of `model`: as `kept` under `key` when stamped with `gens`, else ranked and kept."""
    if kept is not None and kept[0] == gens:
        return kept[1]
    rows = get_search_backend().search(query, model.objects.live().values("pk"), operator="and")[: RANKED_MAX + 1]
    ids = tuple(row["pk"] for row in rows)
    ranked = Ranked(ids=ids[:RANKED_MAX], complete=len(ids) <= RANKED_MAX)
    cache_set(key, (gens, ranked), PAGES_SECONDS)
    return ranked


def _visible_in_rank_order(user, model, ranked: Ranked) -> list | None:
    """The first MAX_PAGE_HITS of `ranked` that `user` may see, as hit values, in rank order; None when the kept ids
    run out before that and there are more matches than were kept (the reader's own search must decide)."""
    rows: list = []
    # Known ids: the reader's rules apply to each of them straight (not through the IN (...) of `_visible_hits`,
    # made for full-text search), built once for every chunk.
    visible = pages_visible_to(user, model).annotate(lang=F("locale__language_code")).order_by().values(*HIT_VALUES)
    for start in range(0, len(ranked.ids), RANKED_CHUNK):
        chunk = ranked.ids[start : start + RANKED_CHUNK]
        found = {row["pk"]: row for row in visible.filter(pk__in=chunk)}
        rows.extend(found[pk] for pk in chunk if pk in found)
        if len(rows) >= MAX_PAGE_HITS:
            return rows[:MAX_PAGE_HITS]
    return rows if ranked.complete else None


def search_pages(user, model, query: str) -> list:
    """The pages of `model` the user may see matching `query`, best first, one per translation group (see `_ranked`),
    read without their bodies."""
    qs = _visible_hits(user, model).only(*HIT_FIELDS)
    return _ranked(qs, query, lambda page: (page.pk, page.translation_key, page.lang))


HIT_VALUES = ("pk", "title", "url_path", "translation_key", "lang")


def page_hits(user, model, query: str, root_paths, ranked: Ranked | None = None) -> list[PageHit]:
    """`search_pages` as hits to keep: rows read as values, not pages (a page instance costs 50–80 µs to make, 200
    of them a search), taken from the word's `ranked` matches when given; the links of the first PER_GROUP (the
    overview's) worked out now, the others when shown."""
    rows = _visible_in_rank_order(user, model, ranked) if ranked is not None else None
    if rows is None:
        qs = _visible_hits(user, model).values(*HIT_VALUES)
        rows = list(get_search_backend().search(query, qs, operator="and")[:MAX_PAGE_HITS])
    rows = _one_per_group(rows, lambda row: (row["pk"], row["translation_key"], row["lang"]))
    hits = [PageHit(row["title"], None, row["lang"], row["url_path"]) for row in rows]
    return _linked(model, hits[:PER_GROUP], root_paths) + hits[PER_GROUP:]


def _linked(model, hits: list[PageHit], root_paths) -> list[PageHit]:
    """The hits with their links, worked out by Wagtail on one page of the type that takes each hit's tree path in
    turn: a page's link depends on its tree path, the sites' root paths and the language, nothing else."""
    address = model()
    address._wagtail_cached_site_root_paths = root_paths  # where Wagtail keeps a page's copy of them
    linked = []
    for hit in hits:
        if hit.url is None:
            address.url_path = hit.path
            hit = hit._replace(url=address.url)
        linked.append(hit)
    return linked


class PageHits:
    """A page group's kept hits, for the overview and the paginator: what is read of them comes with its links
    (worked out for a page of the group paged through, 35 µs each, rather than for all 200 with every search)."""

    def __init__(self, model, hits: list[PageHit]):
        self.model, self.hits = model, hits

    def __len__(self) -> int:
        return len(self.hits)

    def __iter__(self):
        return iter(self[:])

    def __getitem__(self, index):
        hits = self.hits[index] if isinstance(index, slice) else [self.hits[index]]
        if any(hit.url is None for hit in hits):
            hits = _linked(self.model, hits, Site.get_site_root_paths())
        return hits if isinstance(index, slice) else hits[0]


def _documents_module():
    try:
        return importlib.import_module("hr.documents.selectors")
    except ImportError:
        return None


def _documents_selector():
    return getattr(_documents_module(), "documents_visible_to", None)


def _title_q(query: str) -> Q:
    return reduce(and_, (Q(title__icontains=word) for word in query.split()[:6]), Q())


def search_documents(user, query: str):
    selector = _documents_selector()
    if selector is None:
        return None
    return selector(user).filter(_title_q(query)).only("title").order_by("title", "pk")  # the results show titles


def _reread_documents(user, query: str, ids: list[int], docs) -> list:
    """The kept preview's documents that still match `query` and that the user may still see, in their order: read
    by key with the documents app's `visible_among` when it offers it: no visibility condition to build (a warm
    search that shows documents, 10.5 → 5.0 ms)."""
    visible_among = getattr(_documents_module(), "visible_among", None)
    if visible_among is not None:
        return visible_among(user, ids, _title_q(query))
    return list(docs().filter(pk__in=ids)) if ids else []


def _count_documents(user, query: str, docs) -> int:
    """`docs().count()`, counted by the documents app's union of index lookups when it offers one (the single query
    reads every matching document: 62 → 14 ms for "an" at 100,000 documents)."""
    count_visible = getattr(_documents_module(), "count_visible", None)
    return count_visible(user, _title_q(query)) if count_visible is not None else docs().count()


class Results:
    """Results for paging through, built when first read (building the people search already reads the positions
    and units its words name), with their count when it is already known: the paginator then never counts again."""

    def __init__(self, build, total: int | None = None):
        self._build, self._items, self.total = build, None, total

    @property
    def items(self):
        if self._items is None:
            self._items = self._build()
        return self._items

    def count(self) -> int:
        if self.total is None:
            self.total = self.items.count()
        return self.total

    def __len__(self) -> int:
        return self.count()

    def __iter__(self):
        return iter(self.items)

    def __getitem__(self, index):
        return self.items[index]


# --- the cached groups ---------------------------------------------------------------------------------------------
def _generation_keys() -> tuple[tuple[str, ...], str]:
    """(what page hits depend on, what people and documents depend on): the pages, news (bulk-created news bumps
    only that one) and view-restriction generations; the organisation generation."""
    return (PAGES_GENERATION_KEY, NEWS_GENERATION_KEY, PRIVACY_GENERATION_KEY), ORG_GENERATION_KEY


def search_all(user, query: str, *, chosen: str = "") -> list[Group]:
    """Every group's count and first hits for `query`, from the cache where possible (see the module's docstring);
    `chosen` names the group being paged through (its hits are all read, the others' previews are not shown). When
    everything is cached: one cache round trip, and one query re-reading the documents shown (if any)."""
    query = normalize(query)
    lang, q = get_language() or "", digest(query)
    content_keys, org_key = _generation_keys()
    gen_keys = (*content_keys, org_key, user_generation_key(user.pk))
    keys = {
        "pages": f"{KEY_PREFIX}:pages:{viewer_for(user).key}:{lang}:{q}",
        "matching": f"{KEY_PREFIX}:matching:{q}",
        "people": f"{KEY_PREFIX}:people:{lang}:{q}",
        "documents": f"{KEY_PREFIX}:documents:{user.pk}:{q}",
        # each page type's matches, ranked once for every reader (`ranked_matches`)
        **{f"ranked:{key}": f"{KEY_PREFIX}:ranked:{key}:{q}" for key, _label, _model in _page_models()},
    }
    # one round trip: the generations usually come with what every page reads (`caching.prefetch`)
    gens, found = generations_with(gen_keys, keys.values())
    gens = tuple(gens)
    content, org, reader = gens[: len(content_keys)], gens[-2], gens[-1]
    groups = _page_groups(user, query, found, keys, content)
    groups.append(_people_group(query, chosen, found.get(keys["people"]), keys["people"], org))
    try:
        docs = _documents_group(user, query, chosen, found.get(keys["documents"]), keys["documents"], (reader, org))
    except Exception:  # noqa: BLE001 - a documents app in flux must not break search
        log.exception("documents search failed")
        docs = None
    if docs is not None:
        groups.append(docs)
    return groups


def _page_groups(user, query: str, found: dict, keys: dict, gens: tuple) -> list[Group]:
    # kept with the generations read before the search: a publish during the search retires the copy
    kept = found.get(keys["pages"])
    if kept is not None and kept[0] == gens:
        hits = pickle.loads(zlib.decompress(kept[1]))  # noqa: S301 - our own copy, from our own cache
    else:
        matching = _matching_types(query, found.get(keys["matching"]), keys["matching"], gens)
        root_paths = Site.get_site_root_paths()  # once for every link, not from the cache for each
        hits = {}
        for key, _label, model in _page_models():
            if key not in matching:
                hits[key] = []
                continue
            ranked_key = keys[f"ranked:{key}"]
            ranked = ranked_matches(model, query, found.get(ranked_key), ranked_key, gens)
            hits[key] = page_hits(user, model, query, root_paths, ranked)
        # compressed: up to 4 × 200 titles and tree paths, 22 → 2 KB for a common word, kept per audience profile
        cache_set(keys["pages"], (gens, zlib.compress(pickle.dumps(hits), 1)), PAGES_SECONDS)
    groups = []
    for key, label, model in _page_models():
        group_hits = PageHits(model, hits[key])
        groups.append(
            Group(key=key, label=label, hits=group_hits, total=len(group_hits), preview=group_hits[:PER_GROUP])
        )
    return groups


def _matching_types(query: str, kept, key: str, gens: tuple) -> frozenset[str]:
    """The page types with a live page matching `query` (any reader's hits can only come from those): the PROBED
    types asked once per query and content version, for every reader; the others assumed."""
    if kept is not None and kept[0] == gens:
        return kept[1]
    backend = get_search_backend()
    matching = frozenset(
        key
        for key, _label, model in _page_models()
        if key not in PROBED or list(backend.search(query, model.objects.live().values("pk"), operator="and")[:1])
    )
    cache_set(key, (gens, matching), PAGES_SECONDS)
    return matching


def _person(employee) -> PersonHit:
    position = Named(employee.position.name) if employee.position_id else None
    unit = Named(employee.unit.name) if employee.unit_id else None
    return PersonHit(employee.pk, employee.full_name, position, unit)


def _people_group(query: str, chosen: str, kept, key: str, org: int) -> Group:
    label = _("People")
    people = Results(lambda: directory_results(query=query))  # counts once; pages of few matches sorted
    if chosen == "people":  # paged through: read live, counted with the pages
        return Group(key="people", label=label, hits=people, total=people.count())
    if kept is None or kept[0] != org:
        kept = (org, people.count(), [_person(e) for e in people[:PER_GROUP]])
        cache_set(key, kept, PEOPLE_SECONDS)
    people.total = kept[1]
    return Group(key="people", label=label, hits=people, total=kept[1], preview=kept[2])


def _documents_group(user, query: str, chosen: str, kept, key: str, gens: tuple) -> Group | None:
    if _documents_selector() is None:
        return None
    # built only when read: the reader's access rules make a large condition, and a kept group without hits needs none
    docs = functools.cache(lambda: search_documents(user, query))
    label = _("Documents")
    if chosen == "documents":  # paged through: read live, with a live count
        total = _count_documents(user, query, docs)
        return Group(key="documents", label=label, hits=Results(docs, total), total=total)
    total, ids = kept[1:] if kept is not None and kept[0] == gens else (None, None)
    preview = None
    if chosen in GROUP_KEYS:  # another group is paged through: only the count is shown
        preview = []
    elif ids is not None:
        # re-read under the reader's access rules and the query: a document they lost access to (or that no longer
        # matches) is never shown from the cache; if any is missing, the count and preview are read afresh
        preview = _reread_documents(user, query, ids, docs)
        if [d.pk for d in preview] != ids:
            preview = total = None
    if preview is None:  # read afresh (the count with it: both were kept, or neither)
        preview = list(docs()[:PER_GROUP])
        ids = [d.pk for d in preview]
        if len(preview) < PER_GROUP:
            # fewer than a preview's worth: that is all of them, and the count is not asked (13 ms, most of it
            # building the union of the reader's ways of seeing a document)
            total = len(preview)
    if total is None:
        total = _count_documents(user, query, docs)
    if kept != (gens, total, ids):
        cache_set(key, (gens, total, ids), DOCUMENTS_SECONDS)
    return Group(key="documents", label=label, hits=Results(docs, total), total=total, preview=preview)


__all__ = ["search_all", "search_pages", "pages_visible_to", "normalize"]
