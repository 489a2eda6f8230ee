"""The document list is the reader's copy for a minute (hr.documents.views.index): a repeat view reads no document,
and every write that changes what a reader may see retires every copy at once — a new document for all, a revoked
share, a change of HR scope."""

import pytest
from django.urls import reverse

from hr.documents import services
from hr.documents.models import Classification
from hr.org.models import HRScope
from tests.query_bounds import queries

from .conftest import file_document, give_grant

pytestmark = pytest.mark.django_db


def _list(client):
    with queries() as q:
        response = client.get(reverse("documents:index"))
    assert response.status_code == 200
    return response.content.decode(), q


def _row(doc) -> str:
    return f'data-testid="doc-{doc.pk}"'


def test_repeat_view_reads_no_document(client, cast, docs):
    client.force_login(cast["subject"].user)
    first, cold = _list(client)
    again, warm = _list(client)
    assert cold.reading("documents_document") and not warm.reading("documents_document"), warm.listing()
    assert _row(docs["terbatas_personnel"]) in first and _row(docs["terbatas_personnel"]) in again


def test_a_new_document_for_all_shows_at_once(client, cast, docs, org):
    client.force_login(cast["colleague_other_unit"].user)
    before, _sql = _list(client)
    assert _row(docs["biasa"]) in before
    new = file_document(cast["clerk"].user, classification=Classification.BIASA, unit=org["DIR2"], title="Baru")
    after, _sql = _list(client)
    assert _row(new) in after


def test_a_revoked_share_disappears_at_once(client, cast, docs):
    grantee = cast["grantee"].user
    client.force_login(grantee)
    before, _sql = _list(client)
    assert _row(docs["rahasia"]) in before  # shared with the grantee (docs fixture)
    services.revoke_access(document=docs["rahasia"], revoked_by=cast["clerk"].user, user=grantee)
    after, _sql = _list(client)
    assert _row(docs["rahasia"]) not in after


def test_losing_an_hr_scope_shows_at_once(client, cast, docs):
    hr = cast["hr_in_scope"].user
    client.force_login(hr)
    before, _sql = _list(client)
    assert _row(docs["terbatas_personnel"]) in before  # the subject's personnel file, in scope
    HRScope.objects.filter(user=hr).delete()
    after, _sql = _list(client)
    assert _row(docs["terbatas_personnel"]) not in after


def test_a_new_share_shows_at_once(client, cast, docs):
    colleague = cast["colleague_other_unit"].user
    client.force_login(colleague)
    before, _sql = _list(client)
    assert _row(docs["terbatas_unit"]) not in before
    give_grant(docs["terbatas_unit"], cast["clerk"].user, colleague)
    after, _sql = _list(client)
    assert _row(docs["terbatas_unit"]) in after
