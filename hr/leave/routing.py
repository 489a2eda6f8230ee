"""Where a new leave request goes: the direct superior and the authorised official, resolved in one query.

`superior_of` and `authority_holder` (hr.org.selectors) walk the unit tree a query at a time (a unit chain, then per
head position its Plt/Plh in office on the date, else its holder), and the notifications then read each actor's user
account: six queries per submission. `submission_route` gives the same answers from one query: the employee's unit
chain left-joined to each head position's active holders and to its delegations in force on the date, with their user
accounts. tests/hr/leave/test_routing.py holds it to the answers of those selectors.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Q
from django.db.models.sql.compiler import SQLCompiler

from hr.org.models import Delegation, Employee, OrgUnit, Position
from hr.org.selectors import Authority, chain_paths, units_with_head_authority

User = Employee._meta.get_field("user").related_model


@dataclass(frozen=True)
class SubmissionRoute:
    official: Position | None  # the authorised official's position (`services.official_position_for`)
    official_authority: Authority | None  # who exercises it on the date (`authority_holder`)
    superior: Authority | None  # the direct superior on the date (`superior_of`)


def _columns(model, *names: str) -> list[str]:
    """Attribute names of `model`'s concrete fields (all of them when `names` is empty), in the model's field order:
    the order `Model.from_db` expects its values in."""
    return [f.attname for f in model._meta.concrete_fields if not names or f.name in names]


# What is read of each row: whole positions and delegations (stored on the request, shown in steps); of the people,
# what routing compares and the notifications need (the rest of their fields is deferred, loaded if ever touched).
UNIT = _columns(OrgUnit, "id", "path", "level", "head_position")
POSITION = _columns(Position)
PERSON = _columns(Employee, "id", "user", "name", "front_title", "back_title", "position", "unit", "active")
ACCOUNT = _columns(User, "id", "email")
DELEGATION = _columns(Delegation)
# the joined path of each group in the query, and its columns (a foreign key's column is read by the field's name)
GROUPS = (
    ("", OrgUnit, UNIT),
    ("head_position__", Position, POSITION),
    ("holder__", Employee, PERSON),
    ("holder__user__", User, ACCOUNT),
    ("acting__", Delegation, DELEGATION),
    ("acting__acting__", Employee, PERSON),
    ("acting__acting__user__", User, ACCOUNT),
)


def _path(prefix: str, model, attname: str) -> str:
    field = next(f for f in model._meta.concrete_fields if f.attname == attname)
    return prefix + field.name


def _load(model, columns: list[str], values: tuple):
    """A model instance from one group of a row (None for a left join that found nothing)."""
    if values[columns.index(model._meta.pk.attname)] is None:
        return None
    return model.from_db(DEFAULT_DB_ALIAS, columns, list(values))


def _person(person: Employee | None, account: User | None) -> Employee | None:
    if person is not None and account is not None:
        person.user = account  # what `_notify` reads, without a query of its own
    return person


@dataclass(frozen=True)
class _CompiledChain:
    compiler: SQLCompiler  # kept for its converters (e.g. SQLite's dates and booleans)
    sql: str
    sources: tuple[tuple[str, object], ...]  # per parameter: ("path", index), ("date", None) or ("value", constant)


_COMPILED: dict[tuple[str, int], _CompiledChain] = {}  # (database alias, units in the chain) -> its compiled query
_DATE_MARK = dt.date(1, 1, 1)  # stands for the date while compiling; never a real routing date


def _compiled_chain(alias: str, length: int) -> _CompiledChain:
    """The head chain query for a chain of `length` units, built and compiled once. Building and compiling it takes
    about 1.2 ms per submission, more than running it; only the paths and the date vary, and they are parameters."""
    found = _COMPILED.get((alias, length))
    if found is None:
        marks = [f"\x00path{i}" for i in range(length)]  # no real path holds a NUL
        query = (
            units_with_head_authority(Q(path__in=marks), _DATE_MARK)
            .values_list(*(_path(prefix, model, c) for prefix, model, columns in GROUPS for c in columns))
            .order_by()
            .query
        )
        compiler = query.get_compiler(alias)
        sql, params = compiler.as_sql()
        date_mark = connections[alias].ops.adapt_datefield_value(_DATE_MARK)
        sources = tuple(
            ("path", marks.index(p)) if isinstance(p, str) and p in marks
            else ("date", None) if p == date_mark
            else ("value", p)
            for p in params
        )
        if sum(kind == "path" for kind, _ in sources) != length or not any(kind == "date" for kind, _ in sources):
            raise AssertionError("head chain query: a path or the date is not a parameter")  # a Django change
        found = _COMPILED[(alias, length)] = _CompiledChain(compiler, sql, sources)
    return found


def _chain_rows(paths: list[str], on_date: dt.date, alias: str = DEFAULT_DB_ALIAS) -> list[tuple]:
    """The rows of `units_with_head_authority` for the units at `paths` on `on_date`, with the columns of GROUPS."""
    compiled = _compiled_chain(alias, len(paths))
    date = connections[alias].ops.adapt_datefield_value(on_date)
    params = [paths[ref] if kind == "path" else date if kind == "date" else ref for kind, ref in compiled.sources]
    with connections[alias].cursor() as cursor:
        cursor.execute(compiled.sql, params)
        return list(compiled.compiler.results_iter(results=[cursor.fetchall()], tuple_expected=True))


def head_chain(unit: OrgUnit, on_date: dt.date) -> list[tuple[OrgUnit, Position | None, Authority | None]]:
    """The units from the root down to `unit`, each with its head position and `authority_holder` of that position on
    `on_date` (a Plt/Plh in office that day, the latest-starting first, over the active holder with the lowest pk;
    an acting official who is no longer active does not count). One query."""
    paths = chain_paths(unit)
    rows = _chain_rows(paths, on_date)
    units: dict[str, OrgUnit] = {}
    positions: dict[int, Position] = {}
    holders: dict[int, Employee] = {}  # head position -> its active holder with the lowest pk
    delegations: dict[int, Delegation] = {}  # head position -> its delegation with the latest start, then creation
    for row in rows:
        groups, start = [], 0
        for _prefix, model, columns in GROUPS:
            groups.append(_load(model, columns, row[start : start + len(columns)]))
            start += len(columns)
        found, position, holder, holder_account, delegation, acting, acting_account = groups
        units.setdefault(found.path, found)
        if position is None:
            continue
        positions.setdefault(position.pk, position)
        if holder is not None and (position.pk not in holders or holder.pk < holders[position.pk].pk):
            holders[position.pk] = _person(holder, holder_account)
        if delegation is not None and acting.active:
            best = delegations.get(position.pk)
            if best is None or (delegation.start_date, delegation.created_at) > (best.start_date, best.created_at):
                delegation.position = positions[position.pk]
                delegation.acting = _person(acting, acting_account)
                delegations[position.pk] = delegation
    chain = []
    for path in paths:
        if path not in units:
            continue
        found = units[path]
        position = positions.get(found.head_position_id)
        authority = None
        if found.head_position_id in delegations:
            delegation = delegations[found.head_position_id]
            authority = Authority(employee=delegation.acting, delegation=delegation)
        elif found.head_position_id in holders:
            authority = Authority(employee=holders[found.head_position_id])
        chain.append((found, position, authority))
    return chain


def submission_route(employee: Employee, on_date: dt.date) -> SubmissionRoute:
    """The authorised official (head of the nearest unit at or above the employee's with level ≤
    SERAMBI_LEAVE_OFFICIAL_LEVEL, not the employee's own position) with who exercises it on `on_date`, and the direct
    superior on `on_date` (the explicit one if active, else the nearest head up the chain whose authority someone
    other than the employee holds). `employee` comes with its unit and its explicit superior (and their user)
    joined in. One query."""
    level = getattr(settings, "SERAMBI_LEAVE_OFFICIAL_LEVEL", OrgUnit.Level.ESELON_II)
    chain = head_chain(employee.unit, on_date)
    official = official_authority = None
    for unit, position, authority in reversed(chain):
        if unit.level <= level and unit.head_position_id and unit.head_position_id != employee.position_id:
            official, official_authority = position, authority
            break
    superior = None
    if employee.supervisor_id and employee.supervisor.active:
        superior = Authority(employee=employee.supervisor)
    else:
        superior = next(
            (
                authority
                for unit, _position, authority in reversed(chain)
                if unit.head_position_id
                and unit.head_position_id != employee.position_id
                and authority is not None
                and authority.employee.pk != employee.pk
            ),
            None,
        )
    return SubmissionRoute(official=official, official_authority=official_authority, superior=superior)
