"""What the apps above the accounts do when the directory brings accounts up to date. The sync and a directory login
call every registered handler in their transaction, once the accounts are written and before their fingerprints are:
`hr.org` registers the one that links each account to its HR record (Employee by NIP, unit, supervisor) and keeps the
HR scopes the directory's groups grant. The accounts layer knows nothing of those records."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # types only: provisioning imports this module
    from ..models import User
    from .directory import DirectoryEntry
    from .provisioning import SyncReport


@dataclass(frozen=True)
class ProvisionedAccount:
    entry: DirectoryEntry
    user: User
    scopes: frozenset[tuple[int, str]]  # (org unit id, scope kind) granted by the entry's mapped groups


@dataclass
class Provisioned:
    """One run's accounts: those of the allowed entries applied (not the unchanged ones skipped), and those the run
    deactivated, whose directory grants go."""

    accounts: list[ProvisionedAccount]
    deactivated_ids: list[int]
    report: SyncReport  # handlers add their errors and counts
    # handlers add the accounts they could not apply in full: these get no fingerprint, so the next run looks again
    incomplete: set[int]


# returns the ids of the accounts whose records it changed (counted as updated)
Handler = Callable[[Provisioned], set[int]]
_handlers: list[Handler] = []


def after_accounts_provisioned(handler: Handler) -> Handler:
    """Register `handler` (from an AppConfig.ready; registering it twice keeps one)."""
    if handler not in _handlers:
        _handlers.append(handler)
    return handler


def run_after_provisioned(batch: Provisioned) -> set[int]:
    touched: set[int] = set()
    for handler in _handlers:
        touched |= handler(batch)
    return touched
