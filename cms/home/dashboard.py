"""The personal dashboard: panels from every app that offers one (`<app>/dashboard.py` → `panel(request)`)."""

from __future__ import annotations

import importlib
import logging

log = logging.getLogger(__name__)

PANEL_APPS = ["cms.news", "cms.training", "cms.policies", "hr.leave", "hr.payslips", "hr.documents"]


def _modules():
    for name in PANEL_APPS:
        try:
            yield importlib.import_module(f"{name}.dashboard")
        except ModuleNotFoundError as exc:
            if exc.name not in (f"{name}.dashboard", name):
                raise


def collect_panels(request) -> list[dict]:
    panels = []
    for module in _modules():
        fn = getattr(module, "panel", None)
        if fn is None:
            continue
        result = fn(request)
        if result:
            panels.append(result)
    panels.sort(key=lambda p: p.get("order", 100))
    return panels
