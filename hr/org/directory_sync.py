"""The directory's part in the HR records: each directory account linked to the Employee with its NIP, the entry's
work e-mail, phone, unit placement and supervisor copied onto it, and the HR/payroll scopes its mapped groups grant.
Registered in `OrgConfig.ready` as a handler the directory sync and a directory login call once the accounts are
written (`intranet.accounts.ldap.hooks`). Reads plain rows, not model instances, and writes in bulk: it may run over
every directory account (the first sync)."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from intranet.accounts.ldap.config import normalize_dn
from intranet.accounts.ldap.hooks import Provisioned, ProvisionedAccount
from intranet.accounts.models import User
from intranet.core.bulk import BATCH, bulk_update_fast, chunks

from .models import Employee, HRScope, OrgUnit
from .nip import parse_nip

DIRECTORY = "directory"  # HRScope.source of the scopes the directory grants (others are HR's own)

EMPLOYEE_COLUMNS = (
    "id",
    "nip",
    "user_id",
    "work_email",
    "work_phone",
    "unit_id",
    "supervisor_id",
    "user__source",
    "user__is_active",
)


def apply_directory_records(batch: Provisioned) -> set[int]:
    """The handler: returns the ids of the accounts whose HR records changed."""
    _remove_directory_scopes(batch.deactivated_ids)
    touched = _sync_employees(batch.accounts, batch)
    touched |= _sync_scopes(batch.accounts)
    return touched


def nip_problem(nip: str) -> str:
    """What is wrong with `nip` ("" when it is a valid NIP), for the connection doctor."""
    try:
        parse_nip(nip)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return ""


# --- Employee link, directory fields, unit, supervisor ---------------------------------------------------------------
@dataclass
class _EmployeeWrites:
    """The Employee rows to write, as plain rows with their new values, and the columns that changed."""

    batch: Provisioned
    changed: dict[int, SimpleNamespace] = field(default_factory=dict)  # employee id → its row
    fields: set[str] = field(default_factory=set)
    touched: set[int] = field(default_factory=set)  # account ids

    def set(self, row: SimpleNamespace, name: str, attr: str, value) -> None:
        setattr(row, attr, value)
        self.fields.add(name)
        self.changed[row.pk] = row

    def error(self, account: ProvisionedAccount, message: str) -> None:
        self.batch.report.error(account.entry.dn, message)
        self.batch.incomplete.add(account.user.pk)


def _sync_employees(accounts: list[ProvisionedAccount], batch: Provisioned) -> set[int]:
    """Link, copy and place in one bulk UPDATE. Accounts that could not be fully applied are marked incomplete."""
    writes = _EmployeeWrites(batch)
    _link_employees(accounts, writes)
    _place_supervisors(accounts, writes)
    if writes.changed:
        bulk_update_fast(list(writes.changed.values()), sorted(writes.fields), model=Employee)
    return writes.touched


def _accounts_by_nip(accounts: list[ProvisionedAccount], writes: _EmployeeWrites) -> dict[str, ProvisionedAccount]:
    nips: dict[str, ProvisionedAccount] = {}
    for account in accounts:
        e = account.entry
        if not e.nip:
            continue
        try:
            parse_nip(e.nip)
        except ValidationError as exc:
            writes.error(
                account, _("invalid NIP %(nip)r: %(reason)s") % {"nip": e.nip, "reason": " ".join(exc.messages)}
            )
            continue
        if e.nip in nips:
            writes.batch.incomplete.add(nips[e.nip].user.pk)  # two entries, one NIP: the later one is linked
        nips[e.nip] = account
    return nips


def _employee_rows(nips: list[str]) -> dict[str, SimpleNamespace]:
    rows: dict[str, SimpleNamespace] = {}
    for chunk in chunks(nips):
        for row in Employee.objects.filter(nip__in=chunk).values_list(*EMPLOYEE_COLUMNS):
            rows[row[1]] = SimpleNamespace(**dict(zip(EMPLOYEE_COLUMNS, row, strict=True)), pk=row[0])
    return rows


def _employees_of(user_ids: list[int]) -> dict[int, int]:
    """Account id → the id of the Employee linked to it."""
    linked: dict[int, int] = {}
    for chunk in chunks(user_ids):
        linked.update(Employee.objects.filter(user_id__in=chunk).values_list("user_id", "id"))
    return linked


def _link_employees(accounts: list[ProvisionedAccount], writes: _EmployeeWrites) -> None:
    nips = _accounts_by_nip(accounts, writes)
    if not nips:
        return
    employees = _employee_rows(list(nips))
    linked_to_user = _employees_of([a.user.pk for a in nips.values()])
    unit_codes = {a.entry.unit for a in nips.values() if a.entry.unit}
    units = dict(OrgUnit.objects.filter(code__in=unit_codes).values_list("code", "id")) if unit_codes else {}
    unlink: list[SimpleNamespace] = []
    for nip, account in nips.items():
        emp = employees.get(nip)
        if emp is None:
            writes.batch.incomplete.add(account.user.pk)
            continue  # no HR record yet: linked on a later run once HR has it
        if emp.user_id != account.user.pk and not _link(emp, account, linked_to_user, unlink, writes):
            continue
        _copy_entry(emp, account, units, writes)
        if emp.pk in writes.changed:
            writes.touched.add(account.user.pk)
    if unlink:  # before the new links: Employee.user is unique
        bulk_update_fast(unlink, ["user"], model=Employee)


def _link(emp, account: ProvisionedAccount, linked_to_user: dict[int, int], unlink: list, writes) -> bool:
    """Link the Employee row to the account (unlinking the account's previous one); False when the NIP's record
    belongs to another active directory account."""
    user = account.user
    if emp.user_id is not None and emp.user__source == User.Source.DIRECTORY and emp.user__is_active:
        other = User.objects.filter(pk=emp.user_id).values_list("username", flat=True).first()
        writes.error(
            account, _("NIP %(nip)s already belongs to the account %(other)s") % {"nip": emp.nip, "other": other}
        )
        return False
    previous = linked_to_user.get(user.pk)
    if previous is not None and previous != emp.pk:
        unlink.append(SimpleNamespace(pk=previous, user_id=None))
    writes.set(emp, "user", "user_id", user.pk)
    writes.batch.report.employees_linked += 1
    return True


def _copy_entry(emp, account: ProvisionedAccount, units: dict[str, int], writes: _EmployeeWrites) -> None:
    """The entry's work e-mail, phone and unit onto the Employee row (an empty attribute leaves HR's value)."""
    e = account.entry
    if e.email and emp.work_email != e.email:
        writes.set(emp, "work_email", "work_email", e.email)
    if e.phone and emp.work_phone != e.phone:
        writes.set(emp, "work_phone", "work_phone", e.phone)
    if e.unit:
        unit_id = units.get(e.unit)
        if unit_id is None:
            writes.error(account, _("unknown unit code %(code)r; unit placement skipped") % {"code": e.unit})
        elif emp.unit_id != unit_id:
            writes.set(emp, "unit", "unit_id", unit_id)


def _place_supervisors(accounts: list[ProvisionedAccount], writes: _EmployeeWrites) -> None:
    """The directory's manager DN → Employee.supervisor (the manager's own Employee record, through the manager's
    account), folded into the pending employee rows. An entry without a manager leaves the supervisor alone (HR may
    have set it, or the unit head applies); a manager not resolvable yet (no account or no HR record) leaves the
    entry incomplete."""
    wanted_by_user = {a.user.pk: normalize_dn(a.entry.manager) for a in accounts if a.entry.manager}
    if not wanted_by_user:
        return
    links = {row.user_id: row.pk for row in writes.changed.values() if row.user_id is not None}  # not yet written
    manager_of = _manager_employees(accounts, links, len(wanted_by_user))
    mine = _current_supervisors([uid for uid in wanted_by_user if uid not in links])
    extra = []
    for uid, manager_dn in wanted_by_user.items():
        if uid in links:
            emp_id = links[uid]
            sup_id = writes.changed[emp_id].supervisor_id
        elif uid in mine:
            emp_id, sup_id = mine[uid]
        else:
            continue  # no HR record linked: nothing to place (the NIP link marks it incomplete when it applies)
        manager_emp = manager_of.get(manager_dn)
        if manager_emp is None:
            writes.batch.incomplete.add(uid)
        elif manager_emp not in (sup_id, emp_id):
            if emp_id in writes.changed:
                writes.set(writes.changed[emp_id], "supervisor", "supervisor_id", manager_emp)
            else:
                extra.append(SimpleNamespace(pk=emp_id, supervisor_id=manager_emp))
            writes.touched.add(uid)
    bulk_update_fast(extra, ["supervisor"], model=Employee)


def _manager_employees(accounts: list[ProvisionedAccount], links: dict[int, int], wanted: int) -> dict[str, int]:
    """Manager DN (normalised) → the manager's Employee id, this run's new links included."""
    directory = User.objects.filter(source=User.Source.DIRECTORY, employee__isnull=False)
    if wanted > 1000:
        rows = directory.values_list("directory_dn", "employee__id")
    else:
        raw = list({a.entry.manager for a in accounts if a.entry.manager})
        rows = directory.filter(directory_dn__in=raw).values_list("directory_dn", "employee__id")
    manager_of = {normalize_dn(dn): emp_id for dn, emp_id in rows}
    for account in accounts:
        if account.user.pk in links:
            manager_of[normalize_dn(account.entry.dn)] = links[account.user.pk]
    return manager_of


def _current_supervisors(user_ids: list[int]) -> dict[int, tuple[int, int | None]]:
    """Account id → (its Employee id, the current supervisor id), for accounts linked before this run."""
    mine: dict[int, tuple[int, int | None]] = {}
    for chunk in chunks(user_ids):
        rows = Employee.objects.filter(user_id__in=chunk).values_list("user_id", "id", "supervisor_id")
        for uid, emp_id, sup_id in rows:
            mine[uid] = (emp_id, sup_id)
    return mine


# --- HR scopes --------------------------------------------------------------------------------------------------------
def _sync_scopes(accounts: list[ProvisionedAccount]) -> set[int]:
    """The directory's scopes of each account as its mapped groups grant them; HR's own scopes are left alone."""
    scopes: dict[int, dict[tuple[int, str], HRScope]] = {}
    for chunk in chunks([a.user.pk for a in accounts]):
        for s in HRScope.objects.filter(user_id__in=chunk):
            scopes.setdefault(s.user_id, {})[(s.unit_id, s.kind)] = s
    add, remove, touched = [], [], set()
    for account in accounts:
        uid = account.user.pk
        have = scopes.get(uid, {})
        for unit_id, kind in account.scopes - set(have):
            add.append(HRScope(user_id=uid, unit_id=unit_id, kind=kind, source=DIRECTORY))
            touched.add(uid)
        for key, s in have.items():
            if s.source == DIRECTORY and key not in account.scopes:
                remove.append(s.pk)
                touched.add(uid)
    HRScope.objects.bulk_create(add, batch_size=BATCH, ignore_conflicts=True)
    for chunk in chunks(remove):
        HRScope.objects.filter(pk__in=chunk).delete()
    return touched


def _remove_directory_scopes(user_ids: list[int]) -> None:
    """The scopes the directory granted to accounts it deactivated."""
    for chunk in chunks(user_ids):
        HRScope.objects.filter(user_id__in=chunk, source=DIRECTORY).delete()
