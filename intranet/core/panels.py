"""The dashboard's panels, registered by the apps that offer them (from their AppConfig.ready), so the dashboard
imports none of them. A panel is `panel(request) -> dict | None` (template, context, order); `generations` are the
cache generation keys its content is kept under, which the dashboard's cached copies then carry too."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    render: Callable
    generations: tuple[str, ...]


_panels: dict[str, Panel] = {}  # by the function's dotted name: a second ready() replaces, never doubles


def register_panel(panel: Callable, *, generations: Iterable[str] = ()) -> None:
    _panels[f"{panel.__module__}.{panel.__qualname__}"] = Panel(panel, tuple(generations))


def registered_panels() -> list[Callable]:
    return [p.render for p in _panels.values()]


def panel_generations() -> list[str]:
    """Every registered panel's generation keys, each once, in registration order."""
    return list(dict.fromkeys(key for p in _panels.values() for key in p.generations))
