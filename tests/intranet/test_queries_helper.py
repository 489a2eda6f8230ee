"""intranet.core.queries.count_many: several scoped counts in one round trip, equal to .count() each."""

import pytest
from django.db import connection

from intranet.accounts.models import User
from tests import factories
from tests.query_bounds import queries

pytestmark = pytest.mark.django_db


def test_count_many_equals_separate_counts_in_one_query():
    for i in range(5):
        factories.UserFactory(username=f"hitung{i}", is_active=i % 2 == 0)
    active = User.objects.filter(username__startswith="hitung", is_active=True)
    inactive = User.objects.filter(username__startswith="hitung", is_active=False).order_by("-pk")
    none = User.objects.filter(username="tidak-ada")
    from intranet.core.queries import count_many

    with queries(at_most=1):
        counts = count_many(active, inactive, none)
    assert counts == (active.count(), inactive.count(), 0) == (3, 2, 0)
    assert count_many() == ()


def test_one_of_finds_what_pk_in_finds_with_one_parameter_on_postgresql():
    from django.db.models import Q

    from intranet.core.queries import OneOf

    users = [factories.UserFactory(username=f"salah-satu{i}") for i in range(6)]
    wanted = [users[4].pk, users[1].pk, users[3].pk, 10**9]  # any order, and an id that is nobody
    everyone = User.objects.filter(username__startswith="salah-satu")
    with queries() as q:
        found = set(everyone.filter(OneOf("pk", wanted)).values_list("pk", flat=True))
    assert found == set(everyone.filter(pk__in=wanted).values_list("pk", flat=True)) == set(wanted[:3])
    if connection.vendor == "postgresql":
        assert all("= ANY(" in s for s in q.sql), q.listing()
    # other columns, combined with other conditions, and nothing for no values
    assert list(everyone.filter(OneOf("username", ["salah-satu2"]) | Q(pk=users[5].pk)).order_by("pk")) == [
        users[2],
        users[5],
    ]
    assert list(everyone.exclude(OneOf("pk", [u.pk for u in users[1:]]))) == [users[0]]
    assert list(everyone.filter(OneOf("pk", []))) == []
