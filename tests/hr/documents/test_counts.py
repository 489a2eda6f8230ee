"""The list's total (selectors.count_visible, a union of index lookups) is the same number as counting the list itself,
for every kind of person and every filter, including documents reached several ways at once (a grant on a Biasa
document, a grant on a Terbatas document already open through a relationship, a group grant)."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone

from hr.documents import selectors
from hr.documents.models import Classification, DocumentGroupObjectPermission
from tests.query_bounds import queries

from .conftest import category, file_document, give_grant

FILTERS = [
    {},
    {"query": "sk"},
    {"query": "surat edaran"},
    {"query": "2025 kepala"},
    {"category": "surat-edaran"},
    {"classification": Classification.TERBATAS},
    {"classification": Classification.RAHASIA},
    {"kind": "personnel"},
    {"kind": "unit"},
    {"query": "dokumen", "kind": "personnel", "classification": Classification.TERBATAS},
]


@pytest.fixture
def overlapping(cast, docs, org):
    """Extra ways in: HR in scope also holds a grant on a personnel file it sees anyway; a group the colleague is in
    holds a live grant on the Rahasia document and an expired one on the Sangat Rahasia document; a second page of
    documents filed for the subject."""
    clerk = cast["clerk"].user
    give_grant(docs["terbatas_personnel"], clerk, cast["hr_in_scope"].user)
    group = Group.objects.create(name="Tim Arsip")
    cast["colleague_same_unit"].user.groups.add(group)
    view = Permission.objects.get(content_type__app_label="documents", codename="view_document")
    now = timezone.now()
    DocumentGroupObjectPermission.objects.create(content_object=docs["rahasia"], group=group, permission=view)
    DocumentGroupObjectPermission.objects.create(
        content_object=docs["sangat_rahasia"], group=group, permission=view, expires_at=now - dt.timedelta(hours=1)
    )
    for i in range(3):
        file_document(clerk, classification=Classification.TERBATAS, subject=cast["subject"], title=f"Dokumen {i}")
        file_document(clerk, classification=Classification.BIASA, unit=org["DIR2"], title=f"Dokumen umum {i}")


def _resolve(filters: dict) -> dict:
    if "category" in filters:
        return {**filters, "category": category(filters["category"])}
    return filters


@pytest.mark.parametrize("filters", FILTERS, ids=[repr(f) for f in FILTERS])
def test_count_equals_the_list(cast, overlapping, filters):
    filters = _resolve(filters)
    for person in cast.values():
        user = person.user
        expected = selectors.search_documents(user, **filters).count()
        assert selectors.count_search_documents(user, **filters) == expected, (user.username, filters)


def test_count_is_zero_for_inactive_staff(cast, overlapping):
    person = cast["subject"]
    person.active = False
    person.save(update_fields=["active"])
    user = person.user
    user.refresh_from_db()
    assert selectors.count_search_documents(user) == 0 == selectors.search_documents(user).count()


def test_list_shows_the_counted_total(client, settings, cast, overlapping):
    settings.DOCUMENTS_PAGE_SIZE = 2
    user = cast["colleague_same_unit"].user
    total = selectors.search_documents(user).count()
    client.force_login(user)
    response = client.get(reverse("documents:index"))
    paginator = response.context["page"].paginator
    assert paginator.count == total
    assert paginator.num_pages == (total + 1) // 2 > 1
    last = client.get(reverse("documents:index"), {"page": paginator.num_pages}).context["page"]
    assert last.number == paginator.num_pages and not last.has_next()
    assert len(last.object_list) == total - 2 * (paginator.num_pages - 1)


@pytest.mark.parametrize("query", ["dokumen", "dokumen umum", "rahasia", "tidak ada"])
def test_global_search_counts_the_documents_the_reader_may_see(cast, overlapping, query):
    """The search overview's documents total is the list's count for every reader: counted when the preview is full,
    and the preview's own length when it holds fewer (no count is asked then)."""
    from cms.search.selectors import PER_GROUP, search_all

    few = many = 0
    for person in cast.values():
        user = person.user
        expected = selectors.search_documents(user, query=query).count()
        with queries() as q:
            (group,) = [g for g in search_all(user, query) if g.key == "documents"]
        assert group.total == expected, (user.username, query)
        assert [d.pk for d in group.preview] == [
            d.pk for d in selectors.search_documents(user, query=query).order_by("title", "pk")[:PER_GROUP]
        ]
        counted = any("COUNT(" in s.upper() for s in q.touching("documents_document"))
        assert counted == (expected >= PER_GROUP), (user.username, query)
        few, many = few + (expected < PER_GROUP), many + (expected >= PER_GROUP)
    if query == "dokumen":
        assert few and many  # both ways were taken
