"""factory_boy factories shared by every test module. Build an org tree with `unit(...)`, people with EmployeeFactory."""

import datetime as dt
import itertools

import factory
from django.contrib.auth.models import Group

from hr.org.models import Employee, HRScope, OrgUnit, Position, bare_name_key
from hr.org.nip import build_nip
from hr.org.signals import bump_org_generation
from intranet.accounts.models import User
from intranet.accounts.roles import Role

_seq = itertools.count(1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.go.id")
    password = factory.django.Password("correct-horse-battery")


def unit(code: str, name: str = "", parent: OrgUnit | None = None, level: int | None = None, **kw) -> OrgUnit:
    """Create an org unit under `parent` (or as a root)."""
    fields = {"code": code, "name_id": name or f"Unit {code}", "name_en": name or f"Unit {code}", **kw}
    if parent is None:
        return OrgUnit.add_root(level=level if level is not None else 0, **fields)
    parent.refresh_from_db()
    return parent.add_child(level=level if level is not None else min(parent.level + 1, 4), **fields)


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    name_id = factory.Sequence(lambda n: f"Pelaksana {n}")
    name_en = factory.Sequence(lambda n: f"Officer {n}")
    kind = Position.Kind.EXECUTOR


def head_position(org_unit: OrgUnit, eselon: str = "III.a") -> Position:
    pos = Position.objects.create(
        unit=org_unit,
        name_id=f"Kepala {org_unit.name_id}",
        name_en=f"Head of {org_unit.name_en}",
        kind=Position.Kind.STRUCTURAL,
        eselon=eselon,
    )
    org_unit.head_position = pos
    org_unit.save(update_fields=["head_position"])
    return pos


def make_nip(birth=dt.date(1985, 3, 14), start=dt.date(2010, 2, 1), gender="F") -> str:
    return build_nip(birth_date=birth, cpns_start=start, gender=gender, sequence=next(_seq) % 999 + 1)


class EmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employee
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Pegawai Nomor {n}")
    gender = "F"
    birth_date = dt.date(1985, 3, 14)
    tmt_cpns = dt.date(2010, 2, 1)
    nip = factory.LazyAttribute(lambda o: make_nip(o.birth_date, o.tmt_cpns, o.gender))
    employment_type = Employee.EmploymentType.PNS
    golongan = "III/a"
    work_email = factory.LazyAttribute(lambda o: f"{o.user.username if o.user else 'x'}@example.go.id")

    @factory.post_generation
    def roles(obj, create, extracted, **kwargs):
        if obj.user is not None:
            grant_roles(obj.user, Role.EMPLOYEE, *(extracted or ()))


def grant_roles(user, *roles: Role) -> None:
    for role in roles:
        user.groups.add(Group.objects.get(name=role.value))
    user.__dict__.pop("_serambi_roles", None)


def give_scope(user, org_unit: OrgUnit, kind: str = HRScope.Kind.HR) -> HRScope:
    grant_roles(user, Role.HR_OFFICER if kind == HRScope.Kind.HR else Role.PAYROLL_OFFICER)
    return HRScope.objects.create(user=user, unit=org_unit, kind=kind)


_bulk_days = itertools.count()


def bulk_employees(n: int, units, *, name: str = "Pegawai Massal", **fields) -> list[Employee]:
    """n employees without accounts spread over `units`, inserted in bulk (the factory is too slow for thousands).
    Bulk inserts send no signals: the organisation generation is bumped here, as the app's bulk writers do."""
    units = list(units)
    rows = []
    for i in range(n):
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=next(_bulk_days))  # unique birth dates: unique NIPs
        gender = "M" if i % 2 else "F"
        employee = Employee(
            nip=build_nip(birth_date=birth, cpns_start=dt.date(2010, 2, 1), gender=gender, sequence=1),
            name=f"{name} {i}",
            gender=gender,
            birth_date=birth,
            tmt_cpns=dt.date(2010, 2, 1),
            employment_type=Employee.EmploymentType.PNS,
            golongan="III/a",
            unit=units[i % len(units)],
            **fields,
        )
        employee.sort_name = bare_name_key(employee.name)
        rows.append(employee)
    created = Employee.objects.bulk_create(rows, batch_size=1000)
    bump_org_generation()
    return created
