"""Who an account belongs to: the directory entry's immutable identifier (objectGUID, entryUUID) is the account's
anchor. A username or DN later given to someone else must not hand them the previous holder's account, its history
and its roles."""

from __future__ import annotations

import logging

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from intranet.audit.models import AuditEntry
from intranet.audit.services import audit_record
from intranet.notifications.services import Notice, notify_many

from ..models import User
from ..roles import Role

logger = logging.getLogger("intranet.accounts.ldap")

# The username (or DN) of an account now belongs to a different directory entry (another immutable identifier): a
# recycled username, or the same person's entry deleted and created again. The old account is never reused: it is
# deactivated (or stays so), the new entry gets no account and its login is refused, and HR and the administrators
# are told once; an administrator decides (rename the old account, or clear its anchor when it is the same person).
IDENTITY_CHANGED = "identity_changed"


def anchored_elsewhere(stored: str, anchor: str) -> bool:
    """True when an account anchored to `stored` must not be reused for an entry whose anchor is `anchor`. An
    account without an anchor adopts the entry's; so does one anchored by another attribute (LDAP_ANCHOR_ATTRIBUTE
    changed), whose identifiers cannot be compared."""
    if not stored or not anchor or stored == anchor:
        return False
    return stored.partition(":")[0] == anchor.partition(":")[0]


def report_identity_changes(conflicts: list[dict]) -> None:
    """An audit entry and a notification to HR officers and administrators, once per old account and new entry
    (a refused login is retried, a sync runs every hour: they are not told again)."""
    if not conflicts:
        return
    recipients = None
    for c in conflicts:
        told = AuditEntry.objects.filter(
            action="directory.identity_changed", object_type="accounts.user", object_id=str(c["user_id"])
        ).values_list("details", flat=True)
        if any((d or {}).get("new_anchor") == c["new_anchor"] for d in told):
            continue
        # the HR record through its link to the account: the accounts layer does not import the HR apps
        emp_id = User.objects.filter(pk=c["user_id"]).values_list("employee__id", flat=True).first()
        audit_record(
            action="directory.identity_changed",
            object_type="accounts.user",
            object_id=str(c["user_id"]),
            subject_employee_id=emp_id,
            outcome=AuditEntry.Outcome.DENIED,
            details=c,
        )
        logger.warning(
            "directory: the username %s now belongs to another directory entry (%s, was %s); the old account "
            "is not reused",
            c["username"],
            c["new_anchor"],
            c["old_anchor"],
        )
        if recipients is None:
            roles = [Role.HR_OFFICER.value, Role.ADMINISTRATOR.value]
            recipients = list(
                User.objects.filter(is_active=True)
                .filter(Q(groups__name__in=roles) | Q(is_superuser=True))
                .distinct()
                .only("id", "email")
            )
        title = _("The directory username %(username)s now belongs to another person") % {"username": c["username"]}
        body = _(
            "The directory entry %(dn)s carries the username %(username)s, but it is not the entry the Serambi "
            "account %(username)s was made for (its directory identifier changed). The username was given to "
            "someone else, or the entry was deleted and created again. The old account keeps its history and stays "
            "deactivated, and the new entry cannot sign in until an administrator decides: rename the old account "
            "if it belonged to someone else, or clear its directory identifier if it is the same person."
        ) % {"dn": c["dn"], "username": c["username"]}
        url = reverse("admin:accounts_user_change", args=[c["user_id"]])
        notify_many(
            [Notice(r, "directory.identity_changed", title, body, url) for r in recipients if r.pk != c["user_id"]]
        )
