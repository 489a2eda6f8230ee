"""Watermarks, grant expiry, access requests, employee submissions, who-opened-my-file and constant query counts."""

import datetime as dt
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from hr.documents import selectors, services, tasks
from hr.documents.models import AccessRequest, Classification, Document, DocumentUserObjectPermission
from hr.documents.signals import bump_documents_generation
from intranet.audit.models import AuditEntry
from intranet.notifications.models import Notification
from tests.query_bounds import assert_flat, queries

from .conftest import category, pdf_bytes


# --- watermark --------------------------------------------------------------------------------------------------------
def test_secret_pdf_download_is_watermarked_on_every_page(client, cast, docs):
    doc = docs["rahasia"]
    services.version_add(document=doc, user=cast["clerk"].user, file=SimpleUploadedFile("sk.pdf", pdf_bytes(pages=3)))
    grantee = cast["grantee"]
    client.force_login(grantee.user)
    response = client.get(reverse("documents:download", args=[doc.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff" and response["Cache-Control"] == "private, no-store"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 3
    for page in reader.pages:
        text = page.extract_text()
        assert grantee.full_name in text
        assert f"NIP {grantee.nip}" in text
        assert "RAHASIA" in text
        assert timezone.localtime().strftime("%d-%m-%Y") in text
    entry = AuditEntry.objects.filter(action="document.download", actor=grantee.user).latest("id")
    assert entry.details["watermarked"] is True and entry.subject_employee == cast["subject"]


def test_old_version_of_secret_pdf_is_watermarked_too(client, cast, docs):
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from intranet.security.twofactor import VERIFIED_AT

    client.force_login(cast["grantee"].user)
    # Sangat Rahasia opens only after a fresh second factor: prove one in this session.
    device = TOTPDevice.objects.create(user=cast["grantee"].user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[VERIFIED_AT] = int(timezone.now().timestamp())
    session.save()
    response = client.get(reverse("documents:version_download", args=[docs["sangat_rahasia"].pk, 1]))
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "SANGAT RAHASIA" in text and cast["grantee"].nip in text


def test_terbatas_download_is_not_watermarked(client, cast, docs):
    client.force_login(cast["subject"].user)
    response = client.get(reverse("documents:download", args=[docs["terbatas_personnel"].pk]))
    assert b"".join(response.streaming_content) == pdf_bytes()


# --- expiry -----------------------------------------------------------------------------------------------------------
def test_beat_task_revokes_expired_grants_and_audits(cast, docs):
    expired_user = cast["expired_grantee"].user
    assert DocumentUserObjectPermission.objects.filter(user=expired_user).count() == 10  # 5 docs × view+download
    assert tasks.revoke_expired_grants.delay().get() == 5  # eager in tests: one revocation per document
    assert not DocumentUserObjectPermission.objects.filter(user=expired_user).exists()
    assert DocumentUserObjectPermission.objects.filter(user=cast["grantee"].user).count() == 10  # live ones stay
    entries = AuditEntry.objects.filter(action="document.grant_expired")
    assert entries.count() == 5
    assert all(e.details["grantee"] == "user:expired_grantee" for e in entries)
    assert entries.filter(subject_employee=cast["subject"]).count() == 2  # the two personnel files
    assert services.revoke_expired_grants() == 0  # idempotent


def test_grant_expires_when_its_time_comes(cast, docs):
    doc = docs["rahasia"]
    grantee = cast["grantee"].user
    later = timezone.now() + dt.timedelta(days=8)
    assert selectors.can_download(grantee, Document.objects.get(pk=doc.pk))
    assert services.revoke_expired_grants(now=later) >= 1
    assert not selectors.can_view(grantee, Document.objects.get(pk=doc.pk))


def test_share_requires_future_expiry_within_limit(cast, docs, settings):
    doc = docs["terbatas_unit"]
    hr = cast["hr_in_scope"].user
    for expires in (None, timezone.now() - dt.timedelta(minutes=1), timezone.now() + dt.timedelta(days=400)):
        with pytest.raises(services.DocumentError):
            services.grant_access(
                document=doc, granted_by=hr, perms={"view"}, expires_at=expires, user=cast["payroll_officer"].user
            )


def test_group_grant_and_revoke_from_the_page(client, cast, docs, role_group):
    doc = docs["terbatas_personnel"]
    client.force_login(cast["hr_in_scope"].user)
    response = client.post(
        reverse("documents:share", args=[doc.pk]),
        {
            "group": role_group.pk,
            "perms": ["download"],
            "expires_on": (timezone.localdate() + dt.timedelta(days=2)).isoformat(),
        },
    )
    assert response.status_code == 302
    colleague = cast["colleague_other_unit"].user
    assert selectors.can_download(colleague, Document.objects.get(pk=doc.pk))
    page = client.get(reverse("documents:detail", args=[doc.pk])).content.decode()
    assert role_group.name in page
    client.post(reverse("documents:revoke", args=[doc.pk]), {"kind": "group", "id": role_group.pk})
    assert not selectors.can_view(colleague, Document.objects.get(pk=doc.pk))
    assert AuditEntry.objects.filter(action="document.revoke", object_id=str(doc.pk)).exists()


# --- access requests ------------------------------------------------------------------------------------------------
def test_access_request_flow_approve(client, cast, docs):
    doc = docs["terbatas_personnel"]
    requester = cast["colleague_other_unit"].user
    client.force_login(requester)
    page = client.get(reverse("documents:lookup"), {"number": "sk-2/2025"}).content.decode()
    assert 'data-testid="lookup-results"' in page and "Petikan SK" not in page  # no title for strangers
    response = client.post(
        reverse("documents:request_access", args=[doc.pk]), {"number": "SK-2/2025", "reason": "Untuk mutasi"}
    )
    assert response.status_code == 302
    req = AccessRequest.objects.get()
    assert req.status == "pending"
    # The owner (clerk) and HR in scope are told; the HR officer out of scope is not.
    notified = set(
        Notification.objects.filter(kind="documents.access_request").values_list("recipient__username", flat=True)
    )
    assert notified == {"clerk", "hr_in"}

    client.force_login(cast["hr_in_scope"].user)
    assert "Untuk mutasi" in client.get(reverse("documents:requests")).content.decode()
    until = timezone.localdate() + dt.timedelta(days=5)
    client.post(
        reverse("documents:decide", args=[req.pk]),
        {f"r{req.pk}-decision": "approve", f"r{req.pk}-expires_on": until.isoformat()},
    )
    req.refresh_from_db()
    assert req.status == "approved" and timezone.localtime(req.grant_expires_at).date() == until
    assert Notification.objects.filter(recipient=requester, kind="documents.shared").exists()

    client.force_login(requester)
    assert client.get(reverse("documents:download", args=[doc.pk])).status_code == 200


def test_access_request_flow_refuse(client, cast, docs):
    doc = docs["rahasia"]
    requester = cast["subject"].user  # even the subject needs a grant for a Rahasia record
    client.force_login(requester)
    client.post(reverse("documents:request_access", args=[doc.pk]), {"number": "KEP-4/2025", "reason": "Pembelaan"})
    req = AccessRequest.objects.get()
    # Rahasia: only holders of a share grant decide — the clerk; HR in scope cannot even see the request.
    client.force_login(cast["hr_in_scope"].user)
    assert (
        client.post(
            reverse("documents:decide", args=[req.pk]), {f"r{req.pk}-decision": "refuse", f"r{req.pk}-note": "x"}
        ).status_code
        == 404
    )
    client.force_login(cast["clerk"].user)
    client.post(reverse("documents:decide", args=[req.pk]), {f"r{req.pk}-decision": "refuse"})
    req.refresh_from_db()
    assert req.status == "pending"  # a refusal needs a reason
    client.post(
        reverse("documents:decide", args=[req.pk]),
        {f"r{req.pk}-decision": "refuse", f"r{req.pk}-note": "Masih dalam pemeriksaan"},
    )
    req.refresh_from_db()
    assert req.status == "refused" and req.decision_note == "Masih dalam pemeriksaan"
    assert Notification.objects.filter(recipient=requester, title__contains="KEP-4/2025").exists()
    client.force_login(requester)
    assert client.get(reverse("documents:detail", args=[doc.pk])).status_code == 404


def test_requester_withdraws_a_pending_request(client, cast, docs):
    doc = docs["terbatas_unit"]
    client.force_login(cast["colleague_other_unit"].user)
    client.post(reverse("documents:request_access", args=[doc.pk]), {"number": "ND-3/2025", "reason": "Koordinasi"})
    req = AccessRequest.objects.get()
    client.force_login(cast["grantee"].user)  # someone else cannot withdraw it
    assert client.post(reverse("documents:withdraw", args=[req.pk])).status_code == 404
    client.force_login(cast["colleague_other_unit"].user)
    client.post(reverse("documents:withdraw", args=[req.pk]))
    req.refresh_from_db()
    assert req.status == "withdrawn"
    assert not selectors.requests_to_decide(cast["hr_in_scope"].user).exists()
    # A new request is possible again.
    client.post(reverse("documents:request_access", args=[doc.pk]), {"number": "ND-3/2025", "reason": "Lagi"})
    assert AccessRequest.objects.filter(status="pending").count() == 1


def test_request_needs_the_exact_number(client, cast, docs):
    """Walking through ids reveals nothing: without the number, a document one cannot see answers 404."""
    client.force_login(cast["colleague_other_unit"].user)
    for number in ("", "SK-9/2025"):
        response = client.post(
            reverse("documents:request_access", args=[docs["terbatas_personnel"].pk]), {"number": number, "reason": "x"}
        )
        assert response.status_code == 404
    # Sangat Rahasia is never revealed by number.
    page = client.get(reverse("documents:lookup"), {"number": "LAP-5/2025"}).content.decode()
    assert 'data-testid="lookup-none"' in page
    response = client.post(
        reverse("documents:request_access", args=[docs["sangat_rahasia"].pk]), {"number": "LAP-5/2025", "reason": "x"}
    )
    assert response.status_code == 404
    assert not AccessRequest.objects.exists()


# --- employee submissions -------------------------------------------------------------------------------------------
def test_employee_submits_and_hr_verifies(client, cast):
    subject = cast["subject"]
    client.force_login(subject.user)
    response = client.post(
        reverse("documents:submit"),
        {
            "category": category("ijazah").pk,
            "title": "Ijazah S2",
            "issuer": "Universitas Indonesia",
            "file": SimpleUploadedFile("ijazah.pdf", pdf_bytes()),
        },
    )
    doc = Document.objects.get()
    assert response.status_code == 302
    assert doc.verification == "pending" and doc.subject_employee == subject
    assert doc.classification == Classification.TERBATAS
    assert Notification.objects.filter(recipient=cast["hr_in_scope"].user, kind="documents.verification").exists()

    client.force_login(cast["hr_out_of_scope"].user)
    assert "Ijazah S2" not in client.get(reverse("documents:verification")).content.decode()
    client.force_login(cast["hr_in_scope"].user)
    assert "Ijazah S2" in client.get(reverse("documents:verification")).content.decode()
    client.post(
        reverse("documents:verify", args=[doc.pk]),
        {f"v{doc.pk}-decision": "reject", f"v{doc.pk}-note": "Scan tidak terbaca", "next": "queue"},
    )
    doc.refresh_from_db()
    assert doc.verification == "rejected" and doc.verification_note == "Scan tidak terbaca"
    assert Notification.objects.filter(recipient=subject.user, kind="documents.verification").exists()

    # The employee uploads a better scan: back to pending, then verified.
    client.force_login(subject.user)
    client.post(
        reverse("documents:new_version", args=[doc.pk]),
        {"file": SimpleUploadedFile("ijazah2.pdf", pdf_bytes()), "note": "scan ulang"},
    )
    doc.refresh_from_db()
    assert doc.verification == "pending" and doc.current_version.number == 2
    client.force_login(cast["hr_in_scope"].user)
    client.post(reverse("documents:verify", args=[doc.pk]), {f"v{doc.pk}-decision": "verify"})
    doc.refresh_from_db()
    assert doc.verification == "verified" and doc.verified_by == cast["hr_in_scope"].user


def test_employee_cannot_submit_hr_only_categories(cast):
    with pytest.raises(services.DocumentError):
        services.employee_submit(
            user=cast["subject"].user,
            title="SK palsu",
            category=category("sk-pangkat"),
            file=SimpleUploadedFile("sk.pdf", pdf_bytes()),
        )


# --- who opened my file ----------------------------------------------------------------------------------------------
def test_employee_sees_who_opened_their_file(client, cast, docs):
    doc = docs["terbatas_personnel"]
    client.force_login(cast["hr_in_scope"].user)
    client.get(reverse("documents:download", args=[doc.pk]))
    client.force_login(cast["colleague_same_unit"].user)
    assert client.get(reverse("documents:detail", args=[doc.pk])).status_code == 404
    client.force_login(cast["grantee"].user)
    client.get(reverse("documents:download", args=[docs["rahasia"].pk]))  # Rahasia: not shown to the subject

    client.force_login(cast["subject"].user)
    response = client.get(reverse("documents:access_log"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Hr In" in page and "mengunduh berkas" in page
    assert "Colleague Same" in page
    assert AuditEntry.objects.filter(
        subject_employee=cast["subject"], outcome="denied", actor=cast["colleague_same_unit"].user
    ).exists()
    assert "Grantee" not in page  # entries about a record the subject may not see stay hidden
    # Someone else sees only entries about themself.
    client.force_login(cast["colleague_same_unit"].user)
    assert "Hr In" not in client.get(reverse("documents:access_log")).content.decode()


# --- query counts ----------------------------------------------------------------------------------------------------
def _bulk_docs(n, clerk, unit, subject, grantee):
    """n documents, half of them the subject's personnel file, of every classification; one in five below Rahasia
    shared with the grantee. Inserted in bulk: the documents generation is bumped here, as a write would."""
    cat_unit, cat_pers = category("surat-edaran"), category("sk-pangkat")
    rows = []
    for i in range(n):
        personnel = i % 2 == 0
        rows.append(
            Document(
                title=f"Dokumen {i}",
                category=cat_pers if personnel else cat_unit,
                classification=[Classification.BIASA, Classification.TERBATAS, Classification.RAHASIA][i % 3],
                subject_employee=subject if personnel else None,
                owner_unit=None if personnel else unit,
                number=f"N-{i}",
                created_by=clerk,
            )
        )
    docs = Document.objects.bulk_create(rows)
    perms = Permission.objects.filter(
        content_type__app_label="documents", codename__in=["view_document", "download_document"]
    )
    DocumentUserObjectPermission.objects.bulk_create(
        DocumentUserObjectPermission(
            content_object=doc, user=grantee, permission=perm, expires_at=timezone.now() + dt.timedelta(days=7)
        )
        for doc in docs[::5]
        if doc.classification < Classification.RAHASIA
        for perm in perms
    )
    bump_documents_generation()


DOCUMENT_LIST_QUERIES = {"hr_in_scope": 8, "grantee": 7, "subject": 7}


@pytest.mark.parametrize("actor", list(DOCUMENT_LIST_QUERIES))
def test_document_list_queries_do_not_grow_with_the_documents(client, cast, org, actor):
    """The list page runs the same queries with 20 and with 2,000 documents (grants prefetched)."""
    clerk, grantee = cast["clerk"].user, cast["grantee"].user
    client.force_login(cast[actor].user)

    def document_list():
        response = client.get(reverse("documents:index"))
        assert response.status_code == 200
        return response

    response = assert_flat(
        document_list,
        grow=lambda n: _bulk_docs(n, clerk, org["SUB1"], cast["subject"], grantee),
        prepare=bump_documents_generation,  # the list built from the rows, not the reader's copy
        at_most=DOCUMENT_LIST_QUERIES[actor],
    )
    paginator = response.context["page"].paginator
    assert paginator.count > paginator.per_page


# --- odds and ends ---------------------------------------------------------------------------------------------------
def test_inactive_employee_sees_nothing(client, cast, docs):
    subject = cast["subject"]
    subject.active = False
    subject.save(update_fields=["active"])
    client.force_login(subject.user)
    assert client.get(reverse("documents:detail", args=[docs["biasa"].pk])).status_code == 404
    assert not selectors.documents_visible_to(subject.user).exists()


def test_dashboard_panel_for_hr_with_work_waiting(rf, cast, docs):
    from hr.documents.dashboard import panel

    services.employee_submit(
        user=cast["subject"].user,
        title="Sertifikat",
        category=category("sertifikat"),
        file=SimpleUploadedFile("s.pdf", pdf_bytes()),
    )
    request = rf.get("/")
    request.user = cast["hr_in_scope"].user
    with queries(at_most=12):
        result = panel(request)
    assert result["template"] == "documents/dashboard_panel.html"
    assert result["context"]["documents_to_verify"] == 1
    request.user = cast["colleague_other_unit"].user
    assert panel(request) is None  # nothing of theirs, nothing waiting


def test_metadata_edit_by_hr_in_scope_only(client, cast, docs):
    doc = docs["terbatas_personnel"]
    client.force_login(cast["subject"].user)
    assert client.get(reverse("documents:edit", args=[doc.pk])).status_code == 403
    client.force_login(cast["hr_in_scope"].user)
    assert client.get(reverse("documents:edit", args=[doc.pk])).status_code == 200
    response = client.post(
        reverse("documents:edit", args=[doc.pk]),
        {
            "title": "Petikan SK Pangkat III/c",
            "number": "SK-2/2025",
            "issuer": "Kepala BKN",
            "keywords": "pangkat",
            "description": "",
            "language": "id",
            "document_date": "2025-01-02",
        },
    )
    assert response.status_code == 302
    doc.refresh_from_db()
    assert doc.title == "Petikan SK Pangkat III/c" and doc.issuer == "Kepala BKN"
    entry = AuditEntry.objects.filter(action="document.edit", outcome="allowed").get()
    assert set(entry.details["fields"]) == {"title", "issuer", "keywords"}
    with pytest.raises(services.DocumentError):
        services.document_update_metadata(document=doc, user=cast["hr_in_scope"].user, classification=1)
