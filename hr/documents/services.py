"""Every write about HR documents: filing, versions, verification of employee uploads, sharing (guardian grants with
expiry), revocation, access requests, and the audit records of reads. Keyword-only, one transaction each."""

import datetime as dt
import hashlib
import uuid

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from guardian.shortcuts import assign_perm

from hr.org.duties import refused_own_record
from hr.org.models import Employee, HRScope, OrgUnit
from hr.org.selectors import employee_for_user, unit_in_scope
from intranet.audit.denials import audit_denied
from intranet.audit.models import AuditEntry
from intranet.audit.services import audit_record
from intranet.core.private_files import private_storage
from intranet.notifications.services import notify

from . import selectors
from .models import (
    AccessRequest,
    Category,
    Classification,
    Document,
    DocumentGroupObjectPermission,
    DocumentUserObjectPermission,
    DocumentVersion,
)
from .validation import ValidatedFile, validate_upload

OBJECT_TYPE = Document._meta.label_lower


class DocumentError(Exception):
    """A domain rule refused the operation; `message` is translated and safe to show."""

    def __init__(self, message: str, code: str = ""):
        super().__init__(message)
        self.message = message
        self.code = code


# --- segregation of duties -----------------------------------------------------------------------------------------
OWN_FILE = gettext_lazy("You may not act as an officer on your own personnel file; another HR officer must.")


def _refuse_officer_act_on_own_file(user, document: Document, act: str, request=None) -> None:
    """An officer's act on their own personnel file is refused and audited; the employee's own submission (and its
    resubmission after a rejection) is the employee's, not an officer's, act."""
    if document.created_by_id == getattr(user, "pk", None) and document.verification:
        return
    if refused_own_record(user, document.subject_employee, act=act, request=request, obj=document):
        raise DocumentError(str(OWN_FILE))


def _classified_grant_refusal(document: Document, user=None, group=None) -> str:
    """Why a share of a Rahasia or Sangat Rahasia document is refused ("" when it is not): never to a group, and to
    at most DOCUMENTS_CLASSIFIED_MAX_GRANTEES people at a time (the filer's own grant included)."""
    if document.classification < Classification.RAHASIA:
        return ""
    if group is not None:
        return "classified group grant"
    others = (
        DocumentUserObjectPermission.objects.filter(content_object=document)
        .exclude(user=user)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
        .values("user")
        .distinct()
        .count()
    )
    return "classified grantee limit" if others + 1 > settings.DOCUMENTS_CLASSIFIED_MAX_GRANTEES else ""


def _refuse_classified_grant(document: Document, actor, *, user=None, group=None, request=None) -> None:
    reason = _classified_grant_refusal(document, user, group)
    if not reason:
        return
    audit_denied(
        action="document.grant.refused",
        reason=reason,
        request=request,
        actor=actor,
        obj=document,
        subject_employee=document.subject_employee,
        details={"grantee": f"user:{user.get_username()}" if user is not None else f"group:{group.name}"},
    )
    if group is not None:
        raise DocumentError(_("A Rahasia or Sangat Rahasia document is never shared with a group; share it with named people."))
    raise DocumentError(
        _("A Rahasia or Sangat Rahasia document may be shared with at most %(n)s people at a time; revoke a share first.")
        % {"n": settings.DOCUMENTS_CLASSIFIED_MAX_GRANTEES}
    )


# --- audit ---------------------------------------------------------------------------------------------------------
def audit_document(
    *,
    action: str,
    document: Document | None = None,
    request=None,
    actor=None,
    document_id: int | str | None = None,
    outcome: str = AuditEntry.Outcome.ALLOWED,
    details: dict | None = None,
) -> AuditEntry:
    """One audit entry about a document; the subject employee is set for personnel files so that the employee can see
    who opened their file."""
    info = dict(details or {})
    if document is not None:
        info.setdefault("classification", document.classification)
        info.setdefault("title", document.title[:120] if document.classification < Classification.RAHASIA else "")
    return audit_record(
        action=action,
        request=request,
        actor=actor,
        object_type=OBJECT_TYPE,
        object_id=str(document.pk if document is not None else document_id or ""),
        subject_employee=document.subject_employee if document is not None else None,
        outcome=outcome,
        details=info,
    )


# --- files ---------------------------------------------------------------------------------------------------------
def _storage_name(ext: str) -> str:
    now = timezone.now()
    return f"documents/{now:%Y}/{now:%m}/{uuid.uuid4().hex}.{ext}"


def _store_version(*, document: Document, validated: ValidatedFile, user, note: str = "") -> DocumentVersion:
    """Write the bytes under a generated name and add the next version (the document row must be locked)."""
    last = document.versions.aggregate(n=Max("number"))["n"] or 0
    name = private_storage().save(_storage_name(validated.kind.extensions[0]), ContentFile(validated.data))
    try:
        version = DocumentVersion.objects.create(
            document=document,
            number=last + 1,
            storage_name=name,
            original_name=validated.name[:255],
            content_type=validated.kind.content_type,
            size=len(validated.data),
            sha256=hashlib.sha256(validated.data).hexdigest(),
            scanned=validated.scanned,
            note=note[:255],
            uploaded_by=user,
        )
    except Exception:
        private_storage().delete(name)
        raise
    document.current_version = version
    document.save(update_fields=["current_version", "updated_at"])
    return version


def _validate(file, classification: int) -> ValidatedFile:
    try:
        return validate_upload(file, pdf_only=classification >= Classification.RAHASIA)
    except ValidationError as exc:
        raise DocumentError(" ".join(exc.messages), code=exc.error_list[0].code or "") from None


# --- filing --------------------------------------------------------------------------------------------------------
def may_file_for(user, *, subject_employee: Employee | None = None, owner_unit: OrgUnit | None = None) -> bool:
    """HR officers file documents for employees and units in their scope."""
    unit = subject_employee.unit if subject_employee is not None else owner_unit
    return unit is not None and unit_in_scope(user, unit, HRScope.Kind.HR)


def document_create(
    *,
    created_by,
    title: str,
    category: Category,
    classification: int,
    file,
    subject_employee: Employee | None = None,
    owner_unit: OrgUnit | None = None,
    number: str = "",
    document_date: dt.date | None = None,
    issuer: str = "",
    keywords: str = "",
    description: str = "",
    language: str = "id",
    request=None,
) -> Document:
    """File a new document (first version). Only HR officers whose scope covers the employee or unit may file."""
    if (subject_employee is None) == (owner_unit is None):
        raise DocumentError(_("A document is either about one employee or owned by one unit."))
    if not may_file_for(created_by, subject_employee=subject_employee, owner_unit=owner_unit):
        raise DocumentError(_("You may only file documents for employees and units in your HR scope."))
    if refused_own_record(created_by, subject_employee, act="document.upload", request=request):
        raise DocumentError(str(OWN_FILE))
    validated = _validate(file, classification)
    with transaction.atomic():
        doc = Document.objects.create(
            title=title,
            category=category,
            classification=classification,
            subject_employee=subject_employee,
            owner_unit=owner_unit,
            number=number.strip(),
            document_date=document_date,
            issuer=issuer,
            keywords=keywords,
            description=description,
            language=language or "id",
            created_by=created_by,
        )
        _store_version(document=doc, validated=validated, user=created_by)
        if doc.needs_explicit_grant:
            # No implicit access above Terbatas: the filer keeps access through an explicit, visible, revocable grant.
            _write_grant(document=doc, user=created_by, perms=set(selectors.PERMS), expires_at=None, granted_by=None)
        audit_document(action="document.upload", document=doc, request=request, actor=created_by)
    return doc


def employee_submit(
    *,
    user,
    title: str,
    category: Category,
    file,
    number: str = "",
    document_date: dt.date | None = None,
    issuer: str = "",
    request=None,
) -> Document:
    """An employee submits a supporting document of their own (e.g. a new diploma) for HR verification."""
    emp = employee_for_user(user)
    if emp is None or not emp.active:
        raise DocumentError(_("Only employees can submit documents for their personnel file."))
    if not (category.active and category.employee_may_upload and category.for_personnel_files):
        raise DocumentError(_("Documents of this category cannot be submitted by employees."))
    validated = _validate(file, Classification.TERBATAS)
    with transaction.atomic():
        doc = Document.objects.create(
            title=title,
            category=category,
            classification=Classification.TERBATAS,
            subject_employee=emp,
            number=number.strip(),
            document_date=document_date,
            issuer=issuer,
            created_by=user,
            verification=Document.Verification.PENDING,
        )
        _store_version(document=doc, validated=validated, user=user)
        audit_document(action="document.submit", document=doc, request=request, actor=user)
        _notify_verifiers(doc)
    return doc


def _notify_verifiers(doc: Document) -> None:
    url = reverse("documents:verification")
    for officer in selectors.approvers_for(doc):
        if officer.pk == doc.created_by_id:
            continue
        notify(
            officer,
            "documents.verification",
            _("Document awaiting verification: %(title)s") % {"title": doc.title},
            body=_("%(name)s submitted a document for their personnel file.") % {"name": doc.subject_employee},
            url=url,
        )


METADATA_FIELDS = ("title", "number", "document_date", "issuer", "keywords", "description", "language")


def document_update_metadata(*, document: Document, user, request=None, **changes) -> Document:
    """Edit the descriptive metadata (Dublin Core fields). Classification and subject are not editable here:
    reclassifying a record is a separate, deliberate act not offered yet."""
    unknown = set(changes) - set(METADATA_FIELDS)
    if unknown:
        raise DocumentError(_("These fields cannot be changed here."))
    if not selectors.can_change(user, document):
        raise DocumentError(_("You may not change this document."))
    _refuse_officer_act_on_own_file(user, document, "document.edit", request)
    if "title" in changes and not (changes["title"] or "").strip():
        raise DocumentError(_("A document needs a title."))
    with transaction.atomic():
        doc = Document.objects.select_for_update(of=("self",)).select_related("subject_employee").get(pk=document.pk)
        before = {f: getattr(doc, f) for f in changes}
        for field, value in changes.items():
            setattr(doc, field, value.strip() if isinstance(value, str) else value)
        changed = [f for f in changes if getattr(doc, f) != before[f]]
        if changed:
            doc.save(update_fields=[*changed, "updated_at"])
            audit_document(
                action="document.edit", document=doc, request=request, actor=user, details={"fields": changed}
            )
    return doc


def version_add(*, document: Document, user, file, note: str = "", request=None) -> DocumentVersion:
    """Upload a new version; earlier versions are kept. A resubmission by the employee goes back to verification."""
    if not selectors.can_change(user, document):
        raise DocumentError(_("You may not upload a new version of this document."))
    _refuse_officer_act_on_own_file(user, document, "document.new_version", request)
    validated = _validate(file, document.classification)
    with transaction.atomic():
        doc = Document.objects.select_for_update(of=("self",)).get(pk=document.pk)
        version = _store_version(document=doc, validated=validated, user=user, note=note)
        if doc.verification == Document.Verification.REJECTED and doc.created_by_id == user.pk:
            doc.verification = Document.Verification.PENDING
            doc.verification_note = ""
            doc.save(update_fields=["verification", "verification_note", "updated_at"])
            _notify_verifiers(doc)
        audit_document(
            action="document.new_version",
            document=doc,
            request=request,
            actor=user,
            details={"version": version.number},
        )
    document.current_version = version
    return version


def document_verify(*, document: Document, user, approve: bool, note: str = "", request=None) -> Document:
    """HR in scope verifies or rejects (with a reason) an employee's submitted document."""
    if not approve and not note.strip():
        raise DocumentError(_("Give the reason for rejecting the document."))
    if refused_own_record(user, document.subject_employee, act="document.verify", request=request, obj=document):
        raise DocumentError(str(OWN_FILE))
    with transaction.atomic():
        doc = (
            Document.objects.select_for_update(of=("self",))
            .select_related("subject_employee__unit", "subject_employee__user")
            .get(pk=document.pk)
        )
        if not selectors.can_verify(user, doc):
            raise DocumentError(_("This document is not awaiting your verification."))
        doc.verification = Document.Verification.VERIFIED if approve else Document.Verification.REJECTED
        doc.verification_note = note.strip()
        doc.verified_by = user
        doc.verified_at = timezone.now()
        doc.save(update_fields=["verification", "verification_note", "verified_by", "verified_at", "updated_at"])
        audit_document(
            action="document.verify" if approve else "document.reject",
            document=doc,
            request=request,
            actor=user,
            details={"note": doc.verification_note[:500]},
        )
        owner = doc.subject_employee.user
        if owner is not None:
            title = (
                _("Your document was verified: %(title)s") if approve else _("Your document was rejected: %(title)s")
            ) % {"title": doc.title}
            notify(
                owner,
                "documents.verification",
                title,
                body=doc.verification_note,
                url=reverse("documents:detail", args=[doc.pk]),
            )
    return doc


# --- sharing -------------------------------------------------------------------------------------------------------
def _grantee_filter(user=None, group=None) -> dict:
    return {"user": user} if user is not None else {"group": group}


def _write_grant(*, document: Document, perms: set[str], expires_at, granted_by, user=None, group=None) -> None:
    """Replace the grantee's rows on the document with exactly `perms` (view always included)."""
    model = DocumentUserObjectPermission if user is not None else DocumentGroupObjectPermission
    target = user if user is not None else group
    model.objects.filter(content_object=document, **_grantee_filter(user, group)).delete()
    for perm in (p for p in selectors.PERMS if p in perms | {"view"}):
        assign_perm(f"documents.{perm}_document", target, document)  # guardian writes the direct-FK row
    model.objects.filter(content_object=document, **_grantee_filter(user, group)).update(
        expires_at=expires_at, granted_by=granted_by, granted_at=timezone.now()
    )


def grant_access(
    *,
    document: Document,
    granted_by,
    perms: set[str],
    expires_at: dt.datetime | None,
    user=None,
    group: Group | None = None,
    request=None,
) -> None:
    """Share a document with a user or a group until `expires_at`. The sharer must hold `share` and every permission
    they pass on."""
    if (user is None) == (group is None):
        raise DocumentError(_("Choose one person or one group to share with."))
    perms = set(perms) | {"view"}
    if not perms <= selectors.ALL_PERMS:
        raise DocumentError(_("Unknown permission."))
    held = selectors.held_perms(granted_by, document)
    if "share" not in held:
        raise DocumentError(_("You may not share this document."))
    if not perms <= held:
        raise DocumentError(_("You can only share permissions you hold yourself."))
    now = timezone.now()
    if expires_at is None:
        raise DocumentError(_("A share needs an expiry date."))
    if expires_at <= now:
        raise DocumentError(_("The expiry must be in the future."))
    if expires_at > now + dt.timedelta(days=settings.DOCUMENTS_MAX_GRANT_DAYS):
        raise DocumentError(_("A share may last at most %(days)s days.") % {"days": settings.DOCUMENTS_MAX_GRANT_DAYS})
    if user is not None and not user.is_active:
        raise DocumentError(_("This account is not active."))
    _refuse_officer_act_on_own_file(granted_by, document, "document.grant", request)
    _refuse_classified_grant(document, granted_by, user=user, group=group, request=request)
    with transaction.atomic():
        doc = Document.objects.select_for_update(of=("self",)).select_related("subject_employee").get(pk=document.pk)
        if _classified_grant_refusal(doc, user, group):  # a concurrent share took the last place
            raise DocumentError(_("Another share was made meanwhile; check who has access and try again."))
        _write_grant(document=doc, user=user, group=group, perms=perms, expires_at=expires_at, granted_by=granted_by)
        audit_document(
            action="document.grant",
            document=doc,
            request=request,
            actor=granted_by,
            details={
                "grantee": f"user:{user.get_username()}" if user is not None else f"group:{group.name}",
                "perms": sorted(perms),
                "expires_at": expires_at.isoformat(),
            },
        )
        if user is not None:
            notify(
                user,
                "documents.shared",
                _("A document was shared with you: %(title)s") % {"title": doc.title},
                body=_("You have access until %(date)s.")
                % {"date": date_format(timezone.localtime(expires_at), "j F Y H:i")},
                url=reverse("documents:detail", args=[doc.pk]),
            )
    document.__dict__.pop("_serambi_explicit", None)


def revoke_access(*, document: Document, revoked_by, user=None, group: Group | None = None, request=None) -> int:
    """Remove every permission of one grantee on the document. Returns how many guardian rows were deleted."""
    if (user is None) == (group is None):
        raise DocumentError(_("Choose one person or one group."))
    if not selectors.can_share(revoked_by, document):
        raise DocumentError(_("You may not change who has access to this document."))
    _refuse_officer_act_on_own_file(revoked_by, document, "document.revoke", request)
    model = DocumentUserObjectPermission if user is not None else DocumentGroupObjectPermission
    with transaction.atomic():
        doc = Document.objects.select_for_update(of=("self",)).select_related("subject_employee").get(pk=document.pk)
        deleted, _detail = model.objects.filter(content_object=doc, **_grantee_filter(user, group)).delete()
        if deleted:
            audit_document(
                action="document.revoke",
                document=doc,
                request=request,
                actor=revoked_by,
                details={"grantee": f"user:{user.get_username()}" if user is not None else f"group:{group.name}"},
            )
    document.__dict__.pop("_serambi_explicit", None)
    return deleted


def revoke_expired_grants(*, now: dt.datetime | None = None) -> int:
    """Delete grant rows whose expiry has passed, one audit entry per grantee and document. Idempotent."""
    now = now or timezone.now()
    revoked = 0
    for model, kind in ((DocumentUserObjectPermission, "user"), (DocumentGroupObjectPermission, "group")):
        with transaction.atomic():
            rows = list(
                model.objects.select_for_update(of=("self",))
                .filter(expires_at__lte=now)
                .select_related("content_object", "content_object__subject_employee", "permission", kind)
                .order_by("content_object_id", f"{kind}_id", "pk")
            )
            groups: dict[tuple, list] = {}
            for row in rows:
                groups.setdefault((row.content_object_id, getattr(row, f"{kind}_id")), []).append(row)
            for group_rows in groups.values():
                first = group_rows[0]
                grantee = getattr(first, kind)
                label = grantee.get_username() if kind == "user" else grantee.name
                model.objects.filter(pk__in=[r.pk for r in group_rows]).delete()
                audit_document(
                    action="document.grant_expired",
                    document=first.content_object,
                    details={
                        "grantee": f"{kind}:{label}",
                        "perms": sorted(r.permission.codename.removesuffix("_document") for r in group_rows),
                        "expired_at": first.expires_at.isoformat(),
                    },
                )
                revoked += 1
    return revoked


# --- access requests -----------------------------------------------------------------------------------------------
def access_request_create(*, document: Document, requester, reason: str, request=None) -> AccessRequest:
    reason = (reason or "").strip()
    if not reason:
        raise DocumentError(_("Say why you need the document."))
    if selectors.can_download(requester, document, request):
        raise DocumentError(_("You can already open this document."))
    with transaction.atomic():
        Document.objects.select_for_update(of=("self",)).filter(pk=document.pk).first()
        if AccessRequest.objects.filter(
            document=document, requester=requester, status=AccessRequest.Status.PENDING
        ).exists():
            raise DocumentError(_("You already have a pending request for this document."))
        approvers = [u for u in selectors.approvers_for(document) if u.pk != requester.pk]
        if not approvers:
            raise DocumentError(_("Nobody can currently decide on access to this document; contact your HR officer."))
        req = AccessRequest.objects.create(document=document, requester=requester, reason=reason)
        audit_document(
            action="document.access_request",
            document=document,
            request=request,
            actor=requester,
            details={"request": req.pk},
        )
        for approver in approvers:
            notify(
                approver,
                "documents.access_request",
                _("Access requested: %(number)s") % {"number": document.number or document.pk},
                body=_("%(user)s asks to open a document: %(reason)s")
                % {"user": requester.get_full_name() or requester.get_username(), "reason": reason},
                url=reverse("documents:requests"),
            )
    return req


def access_request_decide(
    *,
    access_request: AccessRequest,
    decided_by,
    approve: bool,
    expires_at: dt.datetime | None = None,
    note: str = "",
    request=None,
) -> AccessRequest:
    """Approve (grant view and download until `expires_at`) or refuse (with a reason). The requester is notified."""
    pending = AccessRequest.objects.select_related("document__subject_employee", "requester").get(pk=access_request.pk)
    _refuse_officer_act_on_own_file(decided_by, pending.document, "document.access_decide", request)
    if approve:
        _refuse_classified_grant(pending.document, decided_by, user=pending.requester, request=request)
    with transaction.atomic():
        req = (
            AccessRequest.objects.select_for_update(of=("self",))
            .select_related("document", "requester")
            .get(pk=access_request.pk)
        )
        if req.status != AccessRequest.Status.PENDING:
            raise DocumentError(_("This request has already been decided."))
        doc = req.document
        if not selectors.can_share(decided_by, doc):
            raise DocumentError(_("You may not decide on access to this document."))
        if approve:
            grant_access(
                document=doc,
                granted_by=decided_by,
                perms={"view", "download"},
                expires_at=expires_at,
                user=req.requester,
                request=request,
            )
            req.status = AccessRequest.Status.APPROVED
            req.grant_expires_at = expires_at
        else:
            if not note.strip():
                raise DocumentError(_("Give the reason for refusing."))
            req.status = AccessRequest.Status.REFUSED
        req.decided_by = decided_by
        req.decided_at = timezone.now()
        req.decision_note = note.strip()
        req.save(update_fields=["status", "grant_expires_at", "decided_by", "decided_at", "decision_note"])
        audit_document(
            action="document.access_approve" if approve else "document.access_refuse",
            document=doc,
            request=request,
            actor=decided_by,
            details={"request": req.pk, "requester": req.requester.get_username()},
        )
        if not approve:
            notify(
                req.requester,
                "documents.access_request",
                _("Access refused: %(number)s") % {"number": doc.number or doc.pk},
                body=req.decision_note,
                url=reverse("documents:requests"),
            )
    return req


def access_request_withdraw(*, access_request: AccessRequest, user, request=None) -> AccessRequest:
    """The requester withdraws their own pending request."""
    with transaction.atomic():
        req = (
            AccessRequest.objects.select_for_update(of=("self",))
            .select_related("document__subject_employee")
            .get(pk=access_request.pk)
        )
        if req.requester_id != user.pk or req.status != AccessRequest.Status.PENDING:
            raise DocumentError(_("Only a pending request of your own can be withdrawn."))
        req.status = AccessRequest.Status.WITHDRAWN
        req.decided_at = timezone.now()
        req.save(update_fields=["status", "decided_at"])
        audit_document(
            action="document.access_withdraw",
            document=req.document,
            request=request,
            actor=user,
            details={"request": req.pk},
        )
    return req
