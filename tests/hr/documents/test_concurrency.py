"""Real row-lock concurrency on PostgreSQL: threads with their own database connections."""


import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hr.documents import services
from hr.documents.models import AccessRequest, Classification, DocumentVersion
from tests.concurrency import postgres_only, run_in_threads

from .conftest import file_document, pdf_bytes

pytestmark = [
    pytest.mark.postgres,
    postgres_only,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _run_in_threads(n, target):
    return run_in_threads(n, target, services.DocumentError)


def test_concurrent_new_versions_get_distinct_numbers(cast):
    doc = file_document(cast["clerk"].user, classification=Classification.TERBATAS, subject=cast["subject"])
    clerk = cast["clerk"].user

    def upload(i):
        return services.version_add(
            document=doc, user=clerk, file=SimpleUploadedFile(f"v{i}.pdf", pdf_bytes()), note=str(i)
        ).number

    results, errors = _run_in_threads(6, upload)
    assert errors == []
    assert sorted(results) == [2, 3, 4, 5, 6, 7]
    doc.refresh_from_db()
    assert doc.current_version.number == 7
    assert DocumentVersion.objects.filter(document=doc).count() == 7


def test_concurrent_duplicate_access_requests_leave_one_pending(cast):
    doc = file_document(
        cast["clerk"].user, classification=Classification.TERBATAS, subject=cast["subject"], number="SK-77/2025"
    )
    requester = cast["colleague_other_unit"].user

    def ask(i):
        return services.access_request_create(document=doc, requester=requester, reason=f"alasan {i}").pk

    results, errors = _run_in_threads(8, ask)
    assert len(results) == 1
    assert len(errors) == 7 and all("already have a pending request" in e for e in errors), errors
    assert AccessRequest.objects.filter(document=doc, status="pending").count() == 1
