"""Home dashboard: panels, site alert banner, quick links."""

import pytest

from cms.home.models import SiteAlert

from .conftest import person

pytestmark = pytest.mark.django_db


def test_alert_banner_switch(client, org):
    client.force_login(person(org["SUB1"]))
    assert 'data-testid="site-alert"' not in client.get("/").content.decode()
    alert = SiteAlert.load()
    alert.enabled = True
    alert.message_id = "Pemeliharaan sistem Sabtu pukul 22.00"
    alert.message_en = "System maintenance on Saturday at 22:00"
    alert.save()
    body = client.get("/direktori/").content.decode()
    assert 'data-testid="site-alert"' in body and "Pemeliharaan sistem" in body
    client.cookies["django_language"] = "en"
    assert "System maintenance" in client.get("/").content.decode()
    alert.enabled = False
    alert.save()
    assert 'data-testid="site-alert"' not in client.get("/").content.decode()


def test_dashboard_renders_panels_and_quick_links(client, org):
    client.force_login(person(org["SUB1"]))
    body = client.get("/").content.decode()
    assert 'data-testid="panel-news"' in body and 'data-testid="panel-links"' in body
