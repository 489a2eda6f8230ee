"""The full directory synchronisation (`manage.py ldap_sync`, Celery beat task `accounts.ldap_sync`)."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import replace

from django.utils.translation import gettext as _

from intranet.audit.models import AuditEntry
from intranet.audit.services import audit_record

from .config import DirectoryConfig, get_config, normalize_dn
from .connection import DirectoryUnavailable, service_connection
from .directory import (
    entry_from_attributes,
    in_chain_members,
    iter_user_attributes,
    lean_decoding,
    load_group_graph,
)
from .mappings import active_mappings, mapping_problems, relevant_groups
from .provisioning import Item, SyncAborted, SyncReport, apply_entries

logger = logging.getLogger("intranet.accounts.ldap")


class SyncNotConfigured(Exception):
    pass


# A login must fail within seconds; the sync is a batch job whose large searches (Active Directory's in-chain search
# over a big group) may take longer before the first answer.
SYNC_RECEIVE_TIMEOUT = 60.0


def read_directory(config: DirectoryConfig, relevant: set[str]) -> list[Item]:
    """Every user entry with the groups (nested included) that matter to Serambi."""
    config = replace(config, receive_timeout=max(config.receive_timeout, SYNC_RECEIVE_TIMEOUT))
    with service_connection(config) as conn, lean_decoding(conn):
        entries = [entry_from_attributes(config, dn, attrs) for dn, attrs in iter_user_attributes(conn, config)]
        if config.nested == "server":  # Active Directory resolves nesting itself
            extra: dict[str, set[str]] = {}
            for group_dn in relevant:
                for member in in_chain_members(conn, config, group_dn):
                    extra.setdefault(member, set()).add(group_dn)
            return [
                Item(entry=e, groups=(e.direct_groups | extra.get(normalize_dn(e.dn), set())) & relevant)
                for e in entries
            ]
        graph = load_group_graph(conn, config)
    # Only the groups Serambi maps (roles, required, deny) are kept: smaller sets, and the per-account fingerprint
    # does not change when someone joins a group Serambi ignores.
    cache: dict = {}
    kept: dict[str, frozenset[str]] = {}  # group → its relevant ancestors (itself included)

    def relevant_ancestors(group_dn: str) -> frozenset[str]:
        if group_dn not in kept:
            found = graph.ancestors(group_dn, cache)
            if config.nested == "off":  # direct groups only, but the deny group is always found through nesting
                deny = frozenset([normalize_dn(config.deny_group)]) if config.deny_group else frozenset()
                found = frozenset([group_dn]) | (found & deny)
            kept[group_dn] = found & relevant
        return kept[group_dn]

    items = []
    empty: frozenset[str] = frozenset()
    for e in entries:
        seeds = graph.direct.get(normalize_dn(e.dn), empty) | e.direct_groups
        # client-side nesting: breadth-first up the group graph, memoised per group, cycle-safe
        groups = frozenset().union(*(relevant_ancestors(g) for g in seeds)) if seeds else empty
        items.append(Item(entry=e, groups=groups))
    return items


def run_sync(
    *,
    dry_run: bool = False,
    verify: bool = False,
    config: DirectoryConfig | None = None,
    progress_factory: Callable | None = None,
) -> SyncReport:
    """Read the whole directory and apply it. Entries unchanged since the last run are skipped by their fingerprint;
    `verify=True` re-applies every entry (and so undoes local edits of directory-owned fields).
    Raises DirectoryUnavailable (or its DirectoryMisconfigured) when the directory cannot be read, SyncAborted when
    the mapping settings are wrong or the directory returned no user at all (nothing is changed then), and
    SyncNotConfigured when the directory is not enabled. A run that changed something, or met other problems than
    the last audited run, leaves a summary audit entry; a run that changed nothing writes nothing at all, and a dry
    run never writes."""
    config = config or get_config()
    if not config.enabled:
        raise SyncNotConfigured(
            _("The directory is not configured (LDAP_SERVER_URIS is empty or LDAP_ENABLED is off).")
        )
    problems = mapping_problems(config)
    if problems:
        raise SyncAborted(" ".join([_("The role mapping settings are wrong; nothing was changed."), *problems]))
    started = time.monotonic()
    mappings = active_mappings(config, write=not dry_run)
    items = read_directory(config, relevant_groups(config, mappings))
    if not items:
        raise SyncAborted(
            _(
                "The directory returned no users under %(base)s with the filter %(filter)s; nothing was changed. "
                "Check LDAP_USER_BASE_DN and LDAP_USER_OBJECT_FILTER (e.g. entries without objectCategory); "
                "`manage.py ldap_check` explains what it finds."
            )
            % {"base": config.user_base_dn or "-", "filter": config.user_object_filter}
        )
    read_seconds = time.monotonic() - started
    report = SyncReport(dry_run=dry_run)
    if progress_factory is not None:
        with progress_factory(_("directory accounts"), len(items)) as bar:
            apply_entries(
                config=config, items=items, full=True, dry_run=dry_run, report=report, mappings=mappings,
                progress=bar.advance, verify=verify,
            )  # fmt: skip
    else:
        apply_entries(
            config=config, items=items, full=True, dry_run=dry_run, report=report, mappings=mappings, verify=verify
        )
    total_seconds = time.monotonic() - started
    problems_digest = _digest(report.errors)
    changed = report.created or report.updated or report.deactivated
    if not dry_run and (changed or (report.errors and problems_digest != _last_problems_digest())):
        audit_record(
            action="directory.sync",
            object_type="directory",
            details={
                **report.as_dict(),
                "entries": len(items),
                "verify": verify,
                "seconds": round(total_seconds, 1),
                "errors_sample": report.errors[:20],
                "errors_digest": problems_digest,
            },
        )
    logger.info(
        "directory sync%s: %s (read %.1fs, total %.1fs)",
        " (dry run)" if dry_run else "",
        report.as_dict(),
        read_seconds,
        total_seconds,
    )
    for line in report.errors[:200]:
        logger.warning("directory sync: %s", line)
    return report


def _digest(errors: list[str]) -> str:
    return hashlib.blake2b("\n".join(sorted(errors)).encode(), digest_size=12).hexdigest() if errors else ""


def _last_problems_digest() -> str:
    """The problems of the last audited sync: the same problems again are not audited again (one read)."""
    details = (
        AuditEntry.objects.filter(action="directory.sync").order_by("-created_at").values_list("details", flat=True)
    ).first()
    return (details or {}).get("errors_digest", "")


__all__ = ["run_sync", "SyncReport", "SyncNotConfigured", "DirectoryUnavailable"]
