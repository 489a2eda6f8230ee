"""The directory engine's hook: the apps above the accounts register handlers that get the accounts a run brought up
to date and the accounts it deactivated; hr.org registers the one that keeps the HR records."""

import pytest

from hr.org.directory_sync import apply_directory_records
from intranet.accounts.ldap import hooks
from intranet.accounts.ldap.config import get_config
from intranet.accounts.ldap.directory import DirectoryEntry
from intranet.accounts.ldap.provisioning import Item, apply_entries
from intranet.accounts.models import DirectoryAccount

pytestmark = pytest.mark.django_db


def _item(username: str) -> Item:
    return Item(entry=DirectoryEntry(dn=f"uid={username},ou=people,dc=serambi", username=username), groups=frozenset())


@pytest.fixture
def handler(monkeypatch):
    """A handler in place of the registered ones: records each batch; marks "siti" incomplete, "budi" changed."""
    batches = []

    def record(batch: hooks.Provisioned) -> set[int]:
        batches.append(batch)
        for account in batch.accounts:
            if account.user.username == "siti":
                batch.incomplete.add(account.user.pk)
        return {a.user.pk for a in batch.accounts if a.user.username == "budi"}

    monkeypatch.setattr(hooks, "_handlers", [record])
    return batches


def test_hr_org_registers_its_handler_at_start_up():
    assert apply_directory_records in hooks._handlers
    hooks.after_accounts_provisioned(apply_directory_records)  # a second registration keeps one
    assert hooks._handlers.count(apply_directory_records) == 1


def test_handlers_get_the_run_s_accounts_and_what_they_change_counts(handler):
    config = get_config()
    report, _users = apply_entries(config=config, items=[_item("siti"), _item("budi")], full=True)
    assert report.created == 2
    assert sorted(a.user.username for a in handler[0].accounts) == ["budi", "siti"]
    fingerprints = dict(DirectoryAccount.objects.values_list("user__username", "fingerprint"))
    assert fingerprints["siti"] == "" and fingerprints["budi"]  # incomplete: no fingerprint, looked at again

    report, _users = apply_entries(config=config, items=[_item("siti"), _item("budi")], full=True)
    assert [a.user.username for a in handler[1].accounts] == ["siti"]  # budi was applied in full: skipped
    assert (report.unchanged, report.updated) == (2, 0)

    report, _users = apply_entries(config=config, items=[_item("siti"), _item("budi")], full=True, verify=True)
    assert (report.updated, report.unchanged) == (1, 1)  # what the handler changed (budi) is an update

    report, _users = apply_entries(config=config, items=[_item("siti")], full=True)
    budi = DirectoryAccount.objects.get(user__username="budi").user
    assert report.deactivated == 1 and not budi.is_active
    assert handler[-1].deactivated_ids == [budi.pk]
