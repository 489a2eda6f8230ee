"""What the directory grants an account, written in bulk: its role groups (each membership recorded as a RoleGrant, so
only the directory's own grants are ever taken back) and its directory attributes with the entry's fingerprint. Part
of the engine in `provisioning`."""

from __future__ import annotations

from types import SimpleNamespace

from django.db.models import Q
from django.utils import timezone

from intranet.core.bulk import bulk_update_fast, chunks, insert_rows

from ..models import DirectoryAccount, RoleGrant, User
from .config import normalize_dn

ACCOUNT_FIELDS = ("nip", "title", "unit_code", "phone", "manager_dn")


def _pairs_q(pairs) -> Q:
    q = Q()
    for uid, gid in pairs:
        q |= Q(user_id=uid, group_id=gid)
    return q


def remove_directory_roles(user_ids: list[int]) -> None:
    """The role groups the directory granted to these accounts (deactivated ones)."""
    Membership = User.groups.through
    for chunk in chunks(user_ids):
        grants = list(RoleGrant.objects.filter(user_id__in=chunk).values_list("user_id", "group_id"))
        if grants:
            Membership.objects.filter(_pairs_q(grants)).delete()
        RoleGrant.objects.filter(user_id__in=chunk).delete()


def _current_roles(user_ids: list[int], role_group_ids: set[int]) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """(account id → its role groups, account id → the role groups the directory granted it)."""
    Membership = User.groups.through
    memberships: dict[int, set[int]] = {}
    grants: dict[int, set[int]] = {}
    for chunk in chunks(user_ids):
        rows = Membership.objects.filter(user_id__in=chunk, group_id__in=role_group_ids).values_list(
            "user_id", "group_id"
        )
        for uid, gid in rows:
            memberships.setdefault(uid, set()).add(gid)
        for uid, gid in RoleGrant.objects.filter(user_id__in=chunk).values_list("user_id", "group_id"):
            grants.setdefault(uid, set()).add(gid)
    return memberships, grants


def sync_roles(wanted: list[tuple[int, set[int]]], role_group_ids: set[int]) -> set[int]:
    """Bring each account's role groups to `wanted` ((account id, role group ids)): add what is missing, take back
    what the directory granted and no longer grants. Returns the accounts changed."""
    memberships, grants = _current_roles([uid for uid, _g in wanted], role_group_ids)
    add_members, add_grants, remove_pairs = [], [], []
    touched: set[int] = set()
    now = timezone.now()
    for uid, want_groups in wanted:
        for gid in want_groups - memberships.get(uid, set()):
            add_members.append((uid, gid))
            add_grants.append((uid, gid, now))
            touched.add(uid)
        for gid in grants.get(uid, set()) - want_groups:
            remove_pairs.append((uid, gid))
            touched.add(uid)
    Membership = User.groups.through
    insert_rows(Membership, ["user", "group"], add_members, ignore_conflicts=True)
    insert_rows(RoleGrant, ["user", "group", "granted_at"], add_grants, ignore_conflicts=True)
    for chunk in chunks(remove_pairs, 500):
        q = _pairs_q(chunk)
        Membership.objects.filter(q).delete()
        RoleGrant.objects.filter(q).delete()
    return touched


def sync_accounts(allowed_users, fingerprints: dict[str, str], incomplete: set[int]) -> set[int]:
    """Directory attributes and the fingerprint (none for an account applied only in part, so the next run looks
    again). A changed fingerprint alone is not a change of the account."""
    ids = [u.pk for _i, u in allowed_users]
    fields = (*ACCOUNT_FIELDS, "fingerprint")
    existing: dict[int, tuple] = {}
    for chunk in chunks(ids):
        for row in DirectoryAccount.objects.filter(user_id__in=chunk).values_list("user_id", *fields):
            existing[row[0]] = row[1:]
    create, update, touched = [], [], set()
    for item, user in allowed_users:
        e = item.entry
        fp = "" if user.pk in incomplete else fingerprints.get(normalize_dn(e.dn), "")
        wanted = (e.nip[:32], e.title, e.unit, e.phone, e.manager, fp)
        have = existing.get(user.pk)
        if have is None:
            create.append((user.pk, *wanted))
            touched.add(user.pk)
        elif have != wanted:
            update.append(SimpleNamespace(pk=user.pk, **dict(zip(fields, wanted, strict=True))))
            if have[:-1] != wanted[:-1]:
                touched.add(user.pk)
    insert_rows(DirectoryAccount, ["user", *fields], create)
    bulk_update_fast(update, list(fields), model=DirectoryAccount)
    return touched
