"""Benchmark: the document list page and a detail page at scale (default 100,000 documents, 2,000 explicit grants).

Run: `make bench` or
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/serambi_documents .venv/bin/pytest tests/perf/test_documents_list.py \
      -s -o addopts= -p no:cacheprovider
DOCUMENTS_BENCH_SIZE overrides the size. Prints the time and query count per page for three kinds of user."""

import os
import statistics
import time

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from hr.documents.models import Category, Document, DocumentUserObjectPermission
from hr.org.models import HRScope
from tests import factories
from tests.query_bounds import queries

N = int(os.environ.get("DOCUMENTS_BENCH_SIZE", "100000"))


@pytest.mark.django_db
def test_document_list_at_scale(client, org, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    employees = [factories.EmployeeFactory(unit=org["SUB1" if i % 2 else "DIR2"]) for i in range(200)]
    hr = factories.EmployeeFactory(unit=org["DIR2"])
    factories.give_scope(hr.user, org["DIR1"], HRScope.Kind.HR)
    cat = Category.objects.get(code="lainnya")
    units = [org[c] for c in ("KEM", "DJ1", "DIR1", "DIR2", "SUB1")]
    t0 = time.monotonic()
    rows = []
    for i in range(N):
        personnel = i % 3 != 0
        rows.append(
            Document(
                title=f"Dokumen {i}",
                category=cat,
                number=f"{i}/BENCH/2025",
                classification=(1, 2, 2, 2, 3, 4)[i % 6],
                subject_employee=employees[i % len(employees)] if personnel else None,
                owner_unit=None if personnel else units[i % len(units)],
            )
        )
    Document.objects.bulk_create(rows, batch_size=5000)
    perms = list(
        Permission.objects.filter(
            content_type__app_label="documents", codename__in=["view_document", "download_document"]
        )
    )
    grantee = employees[1]
    ids = list(Document.objects.order_by("?").values_list("pk", flat=True)[:1000])
    DocumentUserObjectPermission.objects.bulk_create(
        [
            DocumentUserObjectPermission(
                content_object_id=pk,
                user=grantee.user,
                permission=p,
                expires_at=timezone.now() + timezone.timedelta(days=30),
            )
            for pk in ids
            for p in perms
        ],
        batch_size=5000,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    print(f"\nloaded {N} documents in {time.monotonic() - t0:.1f}s ({connection.vendor})")

    for label, user in (
        ("HR officer (scope DIR1)", hr.user),
        ("employee with 1,000 grants", grantee.user),
        ("employee", employees[2].user),
    ):
        client.force_login(user)
        client.get(reverse("documents:index"))
        timings, count = [], 0
        for _ in range(5):
            with queries() as q:
                t = time.monotonic()
                response = client.get(reverse("documents:index"), {"page": 3})
                timings.append(time.monotonic() - t)
            count = len(q)
            assert response.status_code == 200
        total = response.context["page"].paginator.count
        print(f"  list, {label}: median {statistics.median(timings) * 1000:.0f} ms, {count} queries, {total} visible")
