"""The demo shows targeted news, as its seed says: the demo employee sees her directorate's item and not another
directorate's; HR officers see theirs."""

import io

import pytest
from django.core.management.base import OutputWrapper
from django.core.management.color import no_style

from cms.news.models import NewsPage
from cms.news.selectors import news_for
from hr.org.models import Employee

pytestmark = pytest.mark.django_db


def test_demo_news_is_targeted():
    from cms.news import seed as news_seed
    from demo.management.commands.seed_demo import SeedContext
    from hr.org import seed as org_seed

    ctx = SeedContext(employees=40, seed=7, stdout=OutputWrapper(io.StringIO()), style=no_style(), scale={"news": 0})
    org_seed.seed(ctx)
    news_seed.seed(ctx)
    targeted = NewsPage.objects.filter(audience_everyone=False)
    assert targeted.count() == len(news_seed.TARGETED) == 3
    pegawai = Employee.objects.get(user__username="pegawai")
    stranger = Employee.objects.exclude(unit__path__startswith=pegawai.unit.path[:12]).filter(unit__level=4).first()
    home, other, hr_only = (t[0] for t in news_seed.TARGETED)
    seen_by_pegawai = {p.title for p in news_for(pegawai.user)}
    seen_by_stranger = {p.title for p in news_for(stranger.user)}
    seen_by_sdm = {p.title for p in news_for(Employee.objects.get(user__username="sdm").user)}
    assert home in seen_by_pegawai and other not in seen_by_pegawai and hr_only not in seen_by_pegawai
    assert home not in seen_by_stranger
    assert hr_only in seen_by_sdm
    news_seed.seed(ctx)
    assert NewsPage.objects.filter(audience_everyone=False).count() == 3, "idempotent"
