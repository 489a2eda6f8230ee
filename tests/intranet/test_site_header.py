"""The site header is kept rendered per audience (`intranet.core.chrome`); these tests prove that what is the
reader's own (name, CSRF token, return address, unread count) is never shared, and that everything else still
follows the audience: language, staff flag, current section."""

import re

import pytest
from django.urls import reverse

from intranet.core import chrome
from intranet.notifications import services as notifications
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def _header(client, path="/", **extra) -> str:
    body = client.get(path, **extra).content.decode()
    return body[body.index('<header class="site-header">') : body.index("</header>")]


def _person(org, first, last="", **user):
    extra = {f"user__{key}": value for key, value in user.items()}
    employee = EmployeeFactory(unit=org["SUB1"], user__first_name=first, user__last_name=last, **extra)
    return employee.user


def test_two_readers_of_one_audience_share_the_copy_and_nothing_of_their_own(client, org):
    chrome._copies.clear()
    first, second = _person(org, "Siti", "Rahma"), _person(org, "Budi", "Santoso")
    notifications.notify(first, "test.a", "Satu", email=False)
    notifications.notify(first, "test.b", "Dua", email=False)
    tokens = []
    for user, name, badge in ((first, "Siti Rahma", 'class="badge">2'), (second, "Budi Santoso", None)):
        client.force_login(user)
        path = reverse("org:directory")
        header = _header(client, path + "?q=a&b=c")
        assert f'<summary data-testid="user-menu">{name}</summary>' in header
        assert ("Siti" in header, "Budi" in header) == ((True, False) if user == first else (False, True))
        assert (badge in header) if badge else ('class="badge"' not in header)
        assert f'<input name="next" type="hidden" value="{path}?q=a&amp;b=c">' in header
        found = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', header)
        assert len(found) == 2 and found[0] == found[1]  # the language form and the logout form
        tokens.append(found[0])
        client.logout()
    assert tokens[0] != tokens[1]
    assert len(chrome._copies) == 1  # one audience (Indonesian, not staff, directory section): one copy
    (copy,) = chrome._copies.values()
    assert "Siti" not in copy and "Budi" not in copy and "csrfmiddlewaretoken" not in copy


def test_the_header_csrf_token_is_accepted(org):
    from django.test import Client

    user = _person(org, "Ani")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    header = _header(client)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', header).group(1)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert "Log out" in _header(client)  # the language changed for this reader


def test_values_are_escaped_and_a_marker_in_them_is_not_filled(client, org):
    user = _person(org, '<b>Ali</b> "serambi-chrome-slot-csrf"')
    client.force_login(user)
    header = _header(client, "/?x=1&y='a'")  # what survives iri_to_uri unencoded must still be escaped
    assert "<b>Ali</b>" not in header and "&lt;b&gt;Ali&lt;/b&gt; &quot;serambi-chrome-slot-csrf&quot;" in header
    assert '<input name="next" type="hidden" value="/?x=1&amp;y=&#x27;a&#x27;">' in header


def test_staff_language_and_section_each_have_their_own_copy(client, org):
    chrome._copies.clear()
    clerk, admin = _person(org, "Rina"), _person(org, "Dewi", is_staff=True)
    client.force_login(clerk)
    assert "Administrasi" not in _header(client) and "Keluar" in _header(client)
    client.force_login(admin)
    assert "Administrasi" in _header(client)
    header = _header(client, reverse("org:directory"))
    assert f'href="{reverse("org:directory")}" aria-current="page" data-testid="nav-directory"' in header
    assert 'aria-current="page" data-testid="nav-home"' not in header
    english = _header(client, reverse("org:directory"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Administration" in english and "Log out" in english and 'value="en" selected' in english
    assert len(chrome._copies) == 4


def test_signed_out_pages_show_the_language_switch_only(client, db):
    header = _header(client, reverse("accounts:login"))
    assert 'data-testid="language-select"' in header and 'name="csrfmiddlewaretoken"' in header
    assert "notifications-bell" not in header and "user-menu" not in header and "main-nav" not in header


def test_a_changed_setting_is_shown_at_once(client, org, settings):
    client.force_login(_person(org, "Yanti"))
    _header(client)
    settings.SERAMBI_AGENCY_NAME = "Kementerian Uji Coba"
    assert "Kementerian Uji Coba" in _header(client)
