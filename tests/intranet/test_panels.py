"""The dashboard panel registry (`intranet.core.panels`): every app that offers a panel registers it from its
AppConfig.ready, with the cache generations its content is kept under, and the dashboard's cached copies follow
those generations. A restore retires the organisation generation through `intranet.core.backup.restored`."""

import importlib

import pytest
from django.apps import apps
from django.test import RequestFactory

from cms.home.dashboard import _versions
from cms.news.dashboard import GENERATION_KEY as NEWS_GENERATION_KEY
from cms.policies.dashboard import GENERATION_KEY as POLICIES_GENERATION_KEY
from hr.org.signals import ORG_GENERATION_KEY
from intranet.core.backup import restored
from intranet.core.caching import bump_generation, generation
from intranet.core.panels import panel_generations, registered_panels
from tests import factories


def _panel_modules():
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.dashboard")
        except ModuleNotFoundError:
            continue
        if hasattr(module, "panel"):
            yield config.name, module


def test_every_app_with_a_dashboard_panel_registers_it():
    offered = dict(_panel_modules())
    assert set(offered) == {"cms.news", "cms.training", "cms.policies", "hr.leave", "hr.payslips", "hr.documents"}
    registered = registered_panels()
    assert [name for name, module in offered.items() if module.panel not in registered] == []
    assert len(registered) == len(set(registered)) == len(offered)  # a second ready() would not add it twice


def test_the_panels_name_the_generations_they_are_kept_under():
    assert {NEWS_GENERATION_KEY, POLICIES_GENERATION_KEY, ORG_GENERATION_KEY} <= set(panel_generations())


@pytest.mark.django_db
def test_the_dashboard_copies_follow_a_registered_generation(org):
    user = factories.EmployeeFactory(unit=org["SUB1"]).user

    def versions():
        request = RequestFactory().get("/")
        request.user = user
        return _versions(request)

    before = versions()
    assert versions() == before
    bump_generation(POLICIES_GENERATION_KEY)  # registered by cms.policies, unknown to the dashboard's own code
    assert versions() != before


@pytest.mark.django_db
def test_a_restore_retires_the_organisation_generation():
    before = generation(ORG_GENERATION_KEY)
    restored.send(sender=None)
    assert generation(ORG_GENERATION_KEY) > before
