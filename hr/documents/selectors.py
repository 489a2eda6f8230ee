"""Who may see, open, change and share which document. The ONLY place that decides it; views, search and downloads
call these functions.

Rules (classification = dc:rights):
- Biasa: every active staff member may list, open and download.
- Terbatas personnel file: the employee it is about, HR officers whose scope covers the employee's unit, and the
  document's owner (who filed it).
- Terbatas unit document: members of the owning unit's subtree, HR officers whose scope covers the unit, the owner.
- Rahasia: only explicit, unexpired grants. The person who files a Rahasia document receives an explicit grant
  (view, download, change, share; no expiry) at upload, visible and revocable like any other — there is no implicit
  access at all, not even for HR in scope or the employee the record is about.
- Sangat Rahasia: explicit grants AND a recent second factor for opening a file (see `second_factor_recent`).
- Explicit grants (django-guardian rows with an expiry) add to the above for any classification.
- Payroll officers, administrators (even superusers) and superiors get NO implicit access.
- Sharing (grant/revoke): owner and HR in scope for Biasa/Terbatas; holders of an explicit `share` grant always. A sharer
  can only pass on permissions they hold themselves.
- Old versions: whoever may download the document.

Existence: a document one cannot view answers 404. Looking a document up by its exact number (`find_by_number`)
tells a staff member that a Biasa/Terbatas/Rahasia document with that number exists (number, category,
classification — no title, no subject), so they can request access; Sangat Rahasia documents are never revealed.
"""

import datetime as dt
from functools import reduce
from operator import or_

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import CharField, Prefetch, Q, QuerySet
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone

from hr.org.models import HRScope, OrgUnit
from hr.org.selectors import employee_for_user, scope_q, scope_units, unit_in_scope
from intranet.accounts.roles import Role
from intranet.audit.models import AuditEntry

from .models import (
    AccessRequest,
    Category,
    Classification,
    Document,
    DocumentGroupObjectPermission,
    DocumentUserObjectPermission,
    DocumentVersion,
)

PERMS = ("view", "download", "change", "share")
ALL_PERMS = frozenset(PERMS)
READ_PERMS = frozenset({"view", "download"})


# --- the second-factor hook ----------------------------------------------------------------------------------------
def second_factor_recent(request) -> bool:
    """True when the request's session proved a second factor recently enough to open a Sangat Rahasia file.

    DOCUMENTS_REQUIRE_SECOND_FACTOR is on by default: it asks the security app's step-up check (a django-otp
    verification within DOCUMENTS_SECOND_FACTOR_MAX_AGE seconds) and fails closed if that app is missing. Switching
    it off (an agency without 2FA tokens yet) makes explicit grants alone open Sangat Rahasia files.
    """
    if not settings.DOCUMENTS_REQUIRE_SECOND_FACTOR:
        return True
    if request is None or not hasattr(request, "session") or not hasattr(request, "user"):
        return False
    try:
        from intranet.security.twofactor import recent_second_factor
    except ImportError:
        return False
    return bool(recent_second_factor(request, settings.DOCUMENTS_SECOND_FACTOR_MAX_AGE))


# --- building blocks -----------------------------------------------------------------------------------------------
def is_active_staff(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    emp = employee_for_user(user)
    return emp is None or emp.active


def is_hr_officer(user) -> bool:
    return bool(scope_units(user, HRScope.Kind.HR))


def _unit_paths(user) -> list[str]:
    """Paths of the user's unit and all its ancestors (a unit document's subtree contains the user iff its path is
    one of these). Memoised on the user object."""
    cached = getattr(user, "_serambi_doc_unit_paths", None)
    if cached is None:
        emp = employee_for_user(user)
        cached = []
        if emp is not None and emp.active:
            path = emp.unit.path if emp.unit_id else ""  # employee_for_user selects the unit
            step = OrgUnit.steplen
            cached = [path[:i] for i in range(step, len(path) + 1, step)]
        user._serambi_doc_unit_paths = cached
    return cached


def _live(now=None) -> Q:
    return Q(expires_at__isnull=True) | Q(expires_at__gt=now or timezone.now())


def _user_grants(user, now=None) -> QuerySet:
    return DocumentUserObjectPermission.objects.filter(_live(now), user=user)


def _group_grants(user, now=None) -> QuerySet:
    return DocumentGroupObjectPermission.objects.filter(_live(now), group__user=user)


def _grant_exists(user, codename: str, now=None) -> Q:
    """Documents on which the user holds a live `codename` grant, directly or through a group. Uncorrelated
    `IN (SELECT ...)` subqueries: PostgreSQL hashes them once; correlated EXISTS inside an OR made the planner's cost
    estimate explode (and switch on JIT compilation, ~1 s per query at 100,000 documents)."""
    perm = f"{codename}_document"
    return Q(pk__in=_user_grants(user, now).filter(permission__codename=perm).values("content_object_id")) | Q(
        pk__in=_group_grants(user, now).filter(permission__codename=perm).values("content_object_id")
    )


def _terbatas_relations(user) -> list[Q]:
    """The relationships that open a Terbatas document to the user (owner, the employee it is about, members of the
    owning unit's subtree, HR in scope), one Q each."""
    relations = [Q(created_by=user)]
    emp = employee_for_user(user)
    if emp is not None:
        relations.append(Q(subject_employee=emp))
    paths = _unit_paths(user)
    if paths:
        relations.append(Q(owner_unit__path__in=paths))
    for prefix in ("subject_employee__unit__", "owner_unit__"):
        hr = scope_q(user, HRScope.Kind.HR, prefix=prefix)
        if hr is not None:
            relations.append(hr)
    return relations


def _implicit_q(user) -> Q:
    """Documents the user reaches through relationships (not grants)."""
    return Q(classification=Classification.BIASA) | (
        Q(classification=Classification.TERBATAS) & reduce(or_, _terbatas_relations(user))
    )


# --- lists ---------------------------------------------------------------------------------------------------------
def documents_visible_to(user) -> QuerySet[Document]:
    """Every document whose existence and metadata the user may see (list pages, search, detail lookups)."""
    if not is_active_staff(user):
        return Document.objects.none()
    return Document.objects.filter(_implicit_q(user) | _grant_exists(user, "view"))


def with_list_relations(qs: QuerySet[Document], user) -> QuerySet[Document]:
    """Select the related rows a list shows and prefetch the user's live grants, so `effective_perms` on each row
    costs no query: a page is a fixed number of queries whatever its size."""
    now = timezone.now()
    return qs.select_related(
        "category", "subject_employee", "subject_employee__unit", "owner_unit", "current_version"
    ).prefetch_related(
        Prefetch(
            "user_grants",
            queryset=_user_grants(user, now).select_related("permission"),
            to_attr="_my_user_grants",
        ),
        Prefetch(
            "group_grants",
            queryset=_group_grants(user, now).select_related("permission"),
            to_attr="_my_group_grants",
        ),
    )


def _search_q(
    *, query: str = "", category: Category | None = None, classification: int | None = None, kind: str = ""
) -> Q:
    """The list filters, as one condition on the document's own columns."""
    q = Q()
    for word in query.split()[:6]:
        q &= (
            Q(title__icontains=word)
            | Q(number__icontains=word)
            | Q(keywords__icontains=word)
            | Q(issuer__icontains=word)
        )
    if category is not None:
        q &= Q(category=category)
    if classification:
        q &= Q(classification=classification)
    if kind == "personnel":
        q &= Q(subject_employee__isnull=False)
    elif kind == "unit":
        q &= Q(owner_unit__isnull=False)
    return q


def search_documents(
    user,
    *,
    query: str = "",
    category: Category | None = None,
    classification: int | None = None,
    kind: str = "",
) -> QuerySet[Document]:
    q = _search_q(query=query, category=category, classification=classification, kind=kind)
    return with_list_relations(documents_visible_to(user).filter(q), user).order_by("-created_at", "-pk")


def count_search_documents(
    user,
    *,
    query: str = "",
    category: Category | None = None,
    classification: int | None = None,
    kind: str = "",
) -> int:
    """`search_documents(...).count()` — the same number, counted the way `count_visible` does."""
    return count_visible(user, _search_q(query=query, category=category, classification=classification, kind=kind))


def count_visible(user, q: Q | None = None) -> int:
    """How many documents matching `q` the user may see: `documents_visible_to(user).filter(q).count()`, the same
    number, counted as the union of the ways of seeing a document. The single query ORs conditions on joined org
    rows and grant subqueries, which no index answers: PostgreSQL reads and joins every document (40 ms for an
    employee, 110 ms for an HR officer at 100,000 documents). Apart, each way is an index lookup: the Biasa
    documents are counted from the classification index, and only the restricted documents opened by a
    relationship or a grant (a few thousand at most for one user) are collected and de-duplicated."""
    if not is_active_staff(user):
        return 0
    now = timezone.now()
    docs = Document.objects.filter(q or Q()).order_by()
    open_docs = docs.filter(classification=Classification.BIASA).values("pk")
    terbatas = docs.filter(classification=Classification.TERBATAS)
    ways = [terbatas.filter(rel) for rel in _terbatas_relations(user)]
    ways += [
        docs.exclude(classification=Classification.BIASA).filter(
            pk__in=grants.filter(permission__codename="view_document").values("content_object_id")
        )
        for grants in (_user_grants(user, now), _group_grants(user, now))
    ]
    ids = [way.values("pk") for way in ways]
    # Biasa and restricted are disjoint: only the restricted ways overlap (UNION), the two parts add up (UNION ALL).
    return open_docs.union(ids[0].union(*ids[1:]), all=True).count()


def my_personnel_file(user) -> QuerySet[Document]:
    emp = employee_for_user(user)
    if emp is None:
        return Document.objects.none()
    return with_list_relations(documents_visible_to(user).filter(subject_employee=emp), user).order_by(
        "category__sort_order", "-document_date", "-pk"
    )


def recent_personnel_documents(user, *, limit: int) -> list[Document]:
    """The newest documents of the user's own personnel file, for the dashboard (titles and categories only: one
    query, no grant prefetch)."""
    emp = employee_for_user(user)
    if emp is None:
        return []
    qs = documents_visible_to(user).filter(subject_employee=emp).select_related("category")
    return list(qs.order_by("-created_at", "-pk")[:limit])


# --- one document --------------------------------------------------------------------------------------------------
def visible_document(user, pk: int) -> Document:
    """The document if the user may see it, else 404 (they may not even know it exists)."""
    doc = with_list_relations(documents_visible_to(user).filter(pk=pk), user).first()
    if doc is None:
        raise Http404
    return doc


def explicit_perms(user, doc: Document) -> frozenset[str]:
    """Live explicit grants (user and group) of `user` on `doc`, as short names (view, download, change, share)."""
    if not user.is_authenticated:
        return frozenset()
    cache = doc.__dict__.setdefault("_serambi_explicit", {})
    if user.pk in cache:
        return cache[user.pk]
    if hasattr(doc, "_my_user_grants"):
        now = timezone.now()
        rows = [g for g in (*doc._my_user_grants, *doc._my_group_grants) if g.expires_at is None or g.expires_at > now]
        codenames = {g.permission.codename for g in rows}
    else:
        now = timezone.now()
        codenames = set(
            _user_grants(user, now).filter(content_object=doc).values_list("permission__codename", flat=True)
        ) | set(_group_grants(user, now).filter(content_object=doc).values_list("permission__codename", flat=True))
    result = frozenset(c.removesuffix("_document") for c in codenames) & ALL_PERMS
    cache[user.pk] = result
    return result


def _doc_unit(doc: Document) -> OrgUnit:
    return doc.subject_employee.unit if doc.subject_employee_id else doc.owner_unit


def hr_in_scope(user, doc: Document) -> bool:
    return unit_in_scope(user, _doc_unit(doc), HRScope.Kind.HR)


def implicit_perms(user, doc: Document) -> frozenset[str]:
    """Permissions from relationships; mirrors `_implicit_q` (the access-matrix test proves they agree)."""
    if not is_active_staff(user) or doc.classification >= Classification.RAHASIA:
        return frozenset()
    perms: set[str] = set()
    if doc.classification == Classification.BIASA:
        perms |= READ_PERMS
    if doc.created_by_id == user.pk or hr_in_scope(user, doc):
        return ALL_PERMS
    if doc.classification == Classification.TERBATAS:
        emp = employee_for_user(user)
        if doc.subject_employee_id is not None:
            if emp is not None and doc.subject_employee_id == emp.pk:
                perms |= READ_PERMS
        elif doc.owner_unit.path in _unit_paths(user):
            perms |= READ_PERMS
    return frozenset(perms)


def held_perms(user, doc: Document) -> frozenset[str]:
    """What the user holds on the document (relationships plus live grants), before the second-factor check."""
    if not is_active_staff(user):
        return frozenset()
    perms = set(implicit_perms(user, doc) | explicit_perms(user, doc))
    if perms:
        perms.add("view")
    return frozenset(perms)


def effective_perms(user, doc: Document, request=None) -> frozenset[str]:
    """What the user may do now: `held_perms`, minus opening a Sangat Rahasia file without a recent second factor."""
    perms = set(held_perms(user, doc))
    if doc.classification == Classification.SANGAT_RAHASIA and not second_factor_recent(request):
        perms.discard("download")
    return frozenset(perms)


def can_view(user, doc: Document) -> bool:
    return "view" in effective_perms(user, doc)


def can_download(user, doc: Document, request=None) -> bool:
    return "download" in effective_perms(user, doc, request)


def can_change(user, doc: Document) -> bool:
    return "change" in effective_perms(user, doc)


def can_share(user, doc: Document) -> bool:
    return "share" in effective_perms(user, doc)


def versions_for(user, doc: Document, request=None) -> QuerySet[DocumentVersion]:
    """All versions, newest first, for whoever may download; nothing otherwise."""
    if not can_download(user, doc, request):
        return DocumentVersion.objects.none()
    return doc.versions.select_related("uploaded_by").order_by("-number")


def version_for_download(user, doc: Document, number: int, request=None) -> DocumentVersion:
    version = versions_for(user, doc, request).filter(number=number).first()
    if version is None:
        raise Http404
    return version


def grants_on(doc: Document) -> dict[str, list[dict]]:
    """Live and expired grants on a document grouped per grantee, for the sharing panel (two queries)."""
    now = timezone.now()
    out: dict[tuple, dict] = {}
    for row in doc.user_grants.select_related("user", "permission", "user__employee").order_by("user__username"):
        key = ("user", row.user_id)
        entry = out.setdefault(
            key,
            {"kind": "user", "id": row.user_id, "grantee": row.user, "perms": [], "expires_at": row.expires_at},
        )
        entry["perms"].append(row.permission.codename.removesuffix("_document"))
    for row in doc.group_grants.select_related("group", "permission").order_by("group__name"):
        key = ("group", row.group_id)
        entry = out.setdefault(
            key,
            {"kind": "group", "id": row.group_id, "grantee": row.group, "perms": [], "expires_at": row.expires_at},
        )
        entry["perms"].append(row.permission.codename.removesuffix("_document"))
    for entry in out.values():
        entry["perms"] = [p for p in PERMS if p in entry["perms"]]
        entry["expired"] = entry["expires_at"] is not None and entry["expires_at"] <= now
    return {"grants": list(out.values())}


# --- existence and access requests ---------------------------------------------------------------------------------
def find_by_number(user, number: str) -> list[Document]:
    """Documents with exactly this number that the user may learn exist (see the module docstring)."""
    number = (number or "").strip()
    if not number or not is_active_staff(user):
        return []
    return list(
        Document.objects.filter(number__iexact=number, classification__lt=Classification.SANGAT_RAHASIA)
        .select_related("category", "owner_unit", "current_version")
        .order_by("-created_at")[:20]
    )


def requestable_document(user, pk: int, number: str = "") -> Document:
    """A document the user may ask to open: one they can see (e.g. a view-only grant), or one whose exact number they
    know (the number must be given, so walking through ids reveals nothing). Sangat Rahasia never. 404 otherwise."""
    if not is_active_staff(user):
        raise Http404
    doc = (
        Document.objects.filter(pk=pk)
        .select_related("category", "subject_employee__unit", "owner_unit", "current_version")
        .first()
    )
    if doc is None:
        raise Http404
    number = (number or "").strip()
    findable = (
        bool(number)
        and doc.number.strip().casefold() == number.casefold()
        and doc.classification < Classification.SANGAT_RAHASIA
    )
    if not findable and not can_view(user, doc):
        raise Http404
    return doc


def approvers_for(doc: Document) -> list:
    """Users who may decide an access request on `doc` (they may share it): owner and HR in scope for Biasa/Terbatas,
    plus users holding a live explicit `share` grant."""
    User = get_user_model()
    now = timezone.now()
    q = Q(
        pk__in=DocumentUserObjectPermission.objects.filter(
            _live(now), content_object=doc, permission__codename="share_document"
        ).values("user_id")
    )
    if doc.classification <= Classification.TERBATAS:
        if doc.created_by_id:
            q |= Q(pk=doc.created_by_id)
        unit = _doc_unit(doc)
        step = OrgUnit.steplen
        ancestors = [unit.path[:i] for i in range(step, len(unit.path) + 1, step)]
        q |= Q(
            pk__in=HRScope.objects.filter(
                kind=HRScope.Kind.HR, unit__path__in=ancestors, user__groups__name=Role.HR_OFFICER.value
            ).values("user_id")
        )
    return list(User.objects.filter(q, is_active=True).distinct().order_by("pk"))


def requests_to_decide(user) -> QuerySet[AccessRequest]:
    """Pending requests on documents the user may share."""
    if not is_active_staff(user):
        return AccessRequest.objects.none()
    now = timezone.now()
    share_grant = Q(
        document_id__in=_user_grants(user, now)
        .filter(permission__codename="share_document")
        .values("content_object_id")
    ) | Q(
        document_id__in=_group_grants(user, now)
        .filter(permission__codename="share_document")
        .values("content_object_id")
    )
    relation = Q(document__created_by=user)
    for prefix in ("document__subject_employee__unit__", "document__owner_unit__"):
        sq = scope_q(user, HRScope.Kind.HR, prefix=prefix)
        if sq is not None:
            relation |= sq
    q = share_grant | (Q(document__classification__lte=Classification.TERBATAS) & relation)
    return (
        AccessRequest.objects.filter(q, status=AccessRequest.Status.PENDING)
        .select_related("document", "document__category", "requester", "requester__employee")
        .order_by("created_at", "pk")
    )


def my_requests(user) -> QuerySet[AccessRequest]:
    return (
        AccessRequest.objects.filter(requester=user)
        .select_related("document", "document__category")
        .order_by("-created_at", "-pk")
    )


def decidable_request(user, pk: int) -> AccessRequest:
    req = requests_to_decide(user).filter(pk=pk).first()
    if req is None:
        raise Http404
    return req


# --- verification of employee uploads ------------------------------------------------------------------------------
def pending_verifications(user) -> QuerySet[Document]:
    """Employee-submitted documents awaiting verification, for HR officers whose scope covers the employee."""
    sq = scope_q(user, HRScope.Kind.HR, prefix="subject_employee__unit__")
    if sq is None or not is_active_staff(user):
        return Document.objects.none()
    return with_list_relations(Document.objects.filter(sq, verification=Document.Verification.PENDING), user).order_by(
        "created_at", "pk"
    )


def can_verify(user, doc: Document) -> bool:
    return (
        doc.subject_employee_id is not None
        and doc.verification == Document.Verification.PENDING
        and doc.classification <= Classification.TERBATAS
        and hr_in_scope(user, doc)
    )


def uploadable_categories(user) -> QuerySet[Category]:
    return Category.objects.filter(active=True, employee_may_upload=True, for_personnel_files=True)


# --- transparency: who opened my personnel file --------------------------------------------------------------------
def access_log_for_subject(user, since: dt.datetime | None = None) -> QuerySet[AuditEntry]:
    """Audit entries about documents in the user's own personnel file — only for documents the user may see
    themself (entries about a Rahasia record they cannot see would reveal that record)."""
    emp = employee_for_user(user)
    if emp is None:
        return AuditEntry.objects.none()
    visible_ids = (
        documents_visible_to(user)
        .filter(subject_employee=emp)
        .annotate(pk_text=Cast("pk", output_field=CharField()))
        .values("pk_text")
    )
    qs = AuditEntry.objects.filter(
        subject_employee=emp,
        object_type=Document._meta.label_lower,
        object_id__in=visible_ids,
        action__startswith="document.",
    )
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    return qs.select_related("actor").order_by("-created_at", "-id")


# --- documents read by their keys (a download, the search overview's preview) --------------------------------------
# What `implicit_perms` reads of a document (with `title`, all a link to it shows).
VISIBILITY_FIELDS = (
    "title",
    "classification",
    "created_by_id",
    "subject_employee__unit__path",
    "owner_unit__path",
)


# What a download reads besides: the file's name, and the current version it sends and audits.
DOWNLOAD_FIELDS = (
    *VISIBILITY_FIELDS,
    "number",
    "current_version__number",
    "current_version__storage_name",
    "current_version__content_type",
    "current_version__sha256",
)


def document_for_download(user, pk: int) -> Document:
    """`visible_document` for a download, with the related rows the download and its audit entry use. Read by its key
    alone, its visibility decided here by the rules `documents_visible_to` puts in SQL — relationships
    (`implicit_perms`, which mirrors `_implicit_q`) or a live view grant (`explicit_perms`, read only when the
    relationships do not show it): the visibility condition takes PostgreSQL 2.8 ms to plan for a 0.35 ms lookup."""
    if not is_active_staff(user):
        raise Http404
    doc = (
        Document.objects.select_related("subject_employee__unit", "owner_unit", "current_version")
        .only(*DOWNLOAD_FIELDS)
        .filter(pk=pk)
        .first()
    )
    if doc is None or ("view" not in implicit_perms(user, doc) and "view" not in explicit_perms(user, doc)):
        raise Http404
    return doc


def visible_among(user, ids, q: Q | None = None) -> list[Document]:
    """The documents among `ids` that match `q` and that the user may see (`documents_visible_to`), in the order of
    `ids`: for re-reading a few documents known by their keys (the search overview's kept preview). Read by key,
    their visibility decided as `document_for_download` decides it; the view grants of those the relationships do
    not open are asked in one query for all of them. Building the visibility condition alone costs 3.5 ms."""
    if not ids or not is_active_staff(user):
        return []
    # only what `implicit_perms` and a title link read: compiling every column of three joined tables took longer
    # than the query
    rows = Document.objects.filter(q or Q(), pk__in=ids).order_by().select_related("subject_employee__unit", "owner_unit")
    found = {doc.pk: doc for doc in rows.only(*VISIBILITY_FIELDS)}
    closed = [pk for pk, doc in found.items() if "view" not in implicit_perms(user, doc)]
    if closed:
        granted = set(Document.objects.filter(_grant_exists(user, "view"), pk__in=closed).values_list("pk", flat=True))
        for pk in set(closed) - granted:
            del found[pk]
    return [found[pk] for pk in ids if pk in found]


def may_download(user, doc: Document, request=None) -> bool:
    """`can_download`, without the two queries for the user's explicit grants when the relationships (own
    personnel file, unit, HR scope, Biasa) already allow the download."""
    if not is_active_staff(user):
        return False
    if "download" not in implicit_perms(user, doc) and "download" not in explicit_perms(user, doc):
        return False
    return doc.classification != Classification.SANGAT_RAHASIA or second_factor_recent(request)
