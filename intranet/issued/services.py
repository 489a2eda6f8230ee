"""Issuing official documents: record → render → sign → store, retried until done; supersede; cancel.

`issue` is called inside the transaction of the event that requires the document (leave approved, payslip published,
training completed), so the record commits with the event or not at all. Rendering runs in a task, after commit;
a broker that is down or a rendering that fails (a full disk) leaves the record pending or failed, and `sweep` queues
it again with exponential back-off until the file exists — exactly once: the row lock and the state make a second
rendering of a ready document a no-op.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import secrets

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import override
from pypdf import PdfReader, PdfWriter

from intranet.core.background import enqueue
from intranet.core.pdf import html_to_pdf
from intranet.core.private_files import file_intact, private_storage

from . import registry, signing
from .models import IssuedDocument

log = logging.getLogger(__name__)
State = IssuedDocument.State
LIVE = (State.PENDING, State.READY, State.FAILED)
# A task queued at issue gets this long before the sweep queues the document again.
FIRST_GRACE = dt.timedelta(minutes=2)
BACKOFF_BASE, BACKOFF_MAX = 60, 6 * 3600  # seconds


def new_code() -> str:
    return secrets.token_urlsafe(16)  # 128 bits: not guessable, 22 URL-safe characters


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def verification_url(code: str) -> str:
    return settings.SERAMBI_SITE_URL.rstrip("/") + reverse("issued:verify", args=[code])


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_MAX))


def _key(source) -> tuple[ContentType, str]:
    return ContentType.objects.get_for_model(source, for_concrete_model=True), str(source.pk)


def live_document(kind: str, source, *, lock: bool = False) -> IssuedDocument | None:
    source_type, source_id = _key(source)
    qs = IssuedDocument.objects.filter(source_type=source_type, source_id=source_id, kind=kind, state__in=LIVE)
    return (qs.select_for_update() if lock else qs).first()


def _new_record(kind: registry.Kind, source, *, now, deferred: bool) -> IssuedDocument:
    parties = kind.parties(source)
    source_type, source_id = _key(source)
    return IssuedDocument(
        kind=kind.code,
        source_type=source_type,
        source_id=source_id,
        holder_user_id=parties.holder_user_id,
        holder_name=parties.holder_name[:200],
        holder_nip=parties.holder_nip[:30],
        issuer_unit=parties.issuer_unit[:255],
        signer_name=parties.signer_name[:200],
        signer_nip=parties.signer_nip[:30],
        signer_title=parties.signer_title[:255],
        next_attempt_at=now if deferred else now + FIRST_GRACE,
    )


def issue(kind: str, source, *, replace: bool = False, deferred: bool = False) -> IssuedDocument:
    """Record that `source` must have a document of `kind` (in the caller's transaction) and queue its rendering
    after commit. Idempotent: the live document is returned as it is, unless `replace` (a corrected or re-rendered
    document), which supersedes it with a new record and code. `deferred`: leave the rendering to the sweep (many
    documents at once, e.g. a published payroll batch)."""
    spec = registry.get(kind)
    now = timezone.now()
    with transaction.atomic():
        current = live_document(kind, source, lock=True)
        if current is not None and not replace:
            return current
        doc = _new_record(spec, source, now=now, deferred=deferred)
        if current is not None:
            current.state, current.ended_at, current.next_attempt_at = State.SUPERSEDED, now, None
            current.save(update_fields=["state", "ended_at", "next_attempt_at"])
            doc.supersedes = current
        doc.save()
    if not deferred:
        from .tasks import render_document  # the tasks import the services

        enqueue(render_document, doc.pk)
    return doc


def _chunks(items: list, size: int = 900):  # below SQLite's bound-parameter limit on old builds
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _live_ids(kind: str, source_type: ContentType, source_ids: list[str]) -> dict[str, int]:
    """source id -> id of its live document, for many sources (chunked IN lists)."""
    found = {}
    for chunk in _chunks(source_ids):
        found.update(
            IssuedDocument.objects.filter(
                source_type=source_type, kind=kind, state__in=LIVE, source_id__in=chunk
            ).values_list("source_id", "pk")
        )
    return found


def issue_many(kind: str, sources, *, replacing: dict | None = None) -> int:
    """Records for many sources at once (those without a live document); the sweep renders them. `replacing` maps a
    new source's pk to the pk of the source it corrects: that source's live document is superseded by the new one.
    A few statements for any number of sources (chunked IN lists)."""
    spec, now = registry.get(kind), timezone.now()
    sources = list(sources)
    if not sources:
        return 0
    source_type = ContentType.objects.get_for_model(sources[0], for_concrete_model=True)
    have = _live_ids(kind, source_type, [str(s.pk) for s in sources])
    replacing = {str(new): str(old) for new, old in (replacing or {}).items()}
    old_docs = _live_ids(kind, source_type, list(replacing.values()))
    rows = []
    for source in sources:
        if str(source.pk) in have:
            continue
        row = _new_record(spec, source, now=now, deferred=True)
        row.supersedes_id = old_docs.get(replacing.get(str(source.pk), ""))
        rows.append(row)
    ended = [row.supersedes_id for row in rows if row.supersedes_id]
    for chunk in _chunks(ended):  # the old ones first: one live document per source
        IssuedDocument.objects.filter(pk__in=chunk).update(state=State.SUPERSEDED, ended_at=now, next_attempt_at=None)
    IssuedDocument.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def cancel(source, *, kinds: list[str] | None = None) -> int:
    """The source's live documents are cancelled (a leave cancelled): their codes now say so."""
    source_type, source_id = _key(source)
    qs = IssuedDocument.objects.filter(source_type=source_type, source_id=source_id, state__in=LIVE)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return qs.update(state=State.CANCELLED, ended_at=timezone.now(), next_attempt_at=None)


# --- rendering -------------------------------------------------------------------------------------------------------
def _produce(doc: IssuedDocument, spec: registry.Kind, source) -> None:
    """Render, sign and store the document; fields set on `doc`, saved by the caller."""
    with override(settings.LANGUAGE_CODE):
        content = spec.render(source)
    pdf = html_to_pdf(content) if isinstance(content, str) else content
    password = spec.password(source) if spec.password else ""
    if password:
        pdf = _encrypt(pdf, password)
    code, signed_at = new_code(), timezone.localtime()
    block = signing.SignatureBlock(
        signer_name=doc.signer_name or doc.issuer_unit,
        signer_title=doc.signer_title if doc.signer_name else "",
        signed_at=_long_date(signed_at),
        code=code,
        url=verification_url(code),
        reason=str(spec.label),
        location=settings.SERAMBI_AGENCY_CITY,
    )
    signed = signing.current_signer().sign(pdf, block, password=password)
    name = f"issued/{doc.kind.replace('.', '-')}/{signed_at:%Y}/{spec.file_stem(source)}-{doc.pk}-{code[:6]}.pdf"
    doc.file_name = private_storage().save(name, ContentFile(signed))
    doc.file_size, doc.file_sha256 = len(signed), hashlib.sha256(signed).hexdigest()
    doc.code_hash = code_hash(code)
    doc.state, doc.issued_at, doc.next_attempt_at, doc.last_error = State.READY, timezone.now(), None, ""


def _long_date(moment) -> str:
    with override(settings.LANGUAGE_CODE):  # "5 Desember 2026 10:00 WIB": the documents are in Indonesian
        return date_format(moment, "j F Y H:i T")


def _encrypt(pdf: bytes, password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password=password, owner_password=None, algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def render(doc_id: int) -> IssuedDocument | None:
    """Render a pending or failed document now (the task, the sweep, a download that cannot wait). A failure is
    recorded with the next attempt's time; a ready, superseded or cancelled document is left as it is."""
    with transaction.atomic():
        doc = IssuedDocument.objects.select_for_update().filter(pk=doc_id).first()
        if doc is None or doc.state not in (State.PENDING, State.FAILED):
            return doc
        spec, source = registry.get(doc.kind), doc.source
        doc.attempts += 1
        if source is None:  # the source was deleted: nothing to issue
            doc.state, doc.ended_at, doc.next_attempt_at = State.CANCELLED, timezone.now(), None
            doc.save()
            return doc
        try:
            with transaction.atomic():  # a failed step leaves no StoredFile row (and the file is then removed)
                _produce(doc, spec, source)
                doc.save()
        except Exception as exc:  # noqa: BLE001 - any failure is retried; the cause is kept and logged
            doc.refresh_from_db(fields=["file_name", "file_size", "file_sha256", "code_hash"])
            doc.state, doc.last_error = State.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
            doc.next_attempt_at = timezone.now() + backoff(doc.attempts)
            doc.save()
            log.error("document %s (%s) not issued, attempt %s: %s", doc.pk, doc.kind, doc.attempts, exc)
            return doc
        if spec.on_ready is not None:
            spec.on_ready(source, doc)
    return doc


def sweep(*, now: dt.datetime | None = None, limit: int = 200) -> list[int]:
    """The pending and failed documents that are due, each leased for a task's run time so the next sweep does not
    queue it twice; returns their ids for the caller to queue (or render)."""
    now = now or timezone.now()
    lease = dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    with transaction.atomic():
        due = list(
            IssuedDocument.objects.select_for_update(skip_locked=True)
            .filter(state__in=(State.PENDING, State.FAILED), next_attempt_at__lte=now)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        IssuedDocument.objects.filter(pk__in=due).update(next_attempt_at=now + lease)
    return due


# --- serving ---------------------------------------------------------------------------------------------------------
class NotReady(Exception):
    """The document is still being prepared, or its rendering failed and will be retried; `doc` says which."""

    def __init__(self, doc: IssuedDocument):
        super().__init__(f"document {doc.pk} is {doc.state}")
        self.doc = doc


def latest_document(kind: str, source) -> IssuedDocument | None:
    """The newest record of `source` for `kind`, whatever its state (the employee's view of it)."""
    source_type, source_id = _key(source)
    return (
        IssuedDocument.objects.filter(source_type=source_type, source_id=source_id, kind=kind).order_by("-pk").first()
    )


def current_file(kind: str, source, *, in_force: bool = True) -> IssuedDocument:
    """The issued document to send for `source`: its stored file checked against what was written. A document never
    issued (data from before this pipeline) is issued now; a damaged file is issued again under a new code; one still
    pending is rendered now. Raises NotReady when that fails (the sweep keeps trying). A source no longer `in_force`
    (a corrected payslip) gets its old file or nothing: never a new code that would say valid."""
    doc = latest_document(kind, source)
    if doc is not None and doc.state == State.CANCELLED:
        raise NotReady(doc)
    if doc is not None and doc.state in (State.READY, State.SUPERSEDED):
        if doc.file_name and file_intact(doc.file_name):
            return doc
        log.error("issued document %s: file damaged, issuing it again", doc.pk)
    if not in_force:
        raise NotReady(IssuedDocument(kind=kind, state=State.SUPERSEDED))
    if doc is None or doc.state in (State.READY, State.SUPERSEDED):
        doc = issue(kind, source, replace=doc is not None and doc.state == State.READY, deferred=True)
    doc = render(doc.pk)
    if doc is None or doc.state != State.READY:
        raise NotReady(doc)
    return doc
