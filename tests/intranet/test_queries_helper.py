"""intranet.core.queries.count_many: several scoped counts in one round trip, equal to .count() each."""

import pytest

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
