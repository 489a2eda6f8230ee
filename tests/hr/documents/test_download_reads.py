"""The download view's own reads (`document_for_download`, `may_download`) answer exactly as `visible_document` and
`can_download` for everyone in the access matrix, and an employee's own personnel file downloads without reading
their explicit grants."""

import pytest
from django.http import Http404
from django.urls import reverse

from hr.documents import selectors
from tests.query_bounds import queries

from .test_access_matrix import ACTORS, DOCS

pytestmark = pytest.mark.django_db


def _visible(fn, user, pk):
    try:
        return fn(user, pk).pk
    except Http404:
        return None


@pytest.mark.parametrize("require_second_factor", [True, False])
def test_same_answers_as_the_general_selectors(cast, docs, settings, require_second_factor):
    settings.DOCUMENTS_REQUIRE_SECOND_FACTOR = require_second_factor
    for actor in [*ACTORS, "clerk"]:
        user = cast[actor].user
        for key in DOCS:
            pk = docs[key].pk
            assert _visible(selectors.document_for_download, user, pk) == _visible(
                selectors.visible_document, user, pk
            ), (actor, key)
            if _visible(selectors.visible_document, user, pk) is None:
                continue
            fresh = selectors.document_for_download(user, pk)
            assert selectors.may_download(user, fresh) == selectors.can_download(
                user, selectors.visible_document(user, pk)
            ), (actor, key)


def test_own_personnel_file_downloads_without_reading_grants(client, cast, docs):
    client.force_login(cast["subject"].user)
    url = reverse("documents:download", args=[docs["terbatas_personnel"].pk])
    client.get(url)
    with queries() as q:
        response = client.get(url)
        b"".join(response.streaming_content)
    assert response.status_code == 200
    assert q.reading("documents_document"), q.listing()
    grants = [s for s in q.sql if "objectpermission" in s]  # user or group grants, read or joined
    assert not grants, q.listing()
