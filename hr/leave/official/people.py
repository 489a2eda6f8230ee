"""How the official documents name an employee and a signing official: data pegawai, masa kerja, Plh./Plt. jabatan."""

import datetime as dt
from dataclasses import dataclass

from hr.leave.models import ApprovalStep, LeaveRequest
from hr.org.models import Employee
from hr.org.ranks import pangkat_golongan
from intranet.core.indonesian import counted

EMPLOYMENT_WORDS = {
    "PNS": "Pegawai Negeri Sipil",
    "CPNS": "Calon Pegawai Negeri Sipil",
    "PPPK": "Pegawai Pemerintah dengan Perjanjian Kerja",
}


def service_length(employee: Employee, on_date: dt.date) -> str:
    """Masa kerja from the TMT CPNS: '12 tahun 3 bulan'."""
    start = employee.tmt_cpns
    months = (on_date.year - start.year) * 12 + on_date.month - start.month - (on_date.day < start.day)
    years, months = divmod(max(months, 0), 12)
    return f"{years} tahun {months} bulan"


UNIT_WORDS = {"working_days": "hari kerja", "calendar_days": "hari kalender", "months": "hari kalender"}


def whole_months(start: dt.date, end: dt.date) -> int | None:
    """How many whole months `start`–`end` spans (1 March–31 May: 3), or None when it is not whole months."""
    after = end + dt.timedelta(days=1)
    months = (after.year - start.year) * 12 + after.month - start.month
    return months if months > 0 and after.day == start.day else None


def duration(req: LeaveRequest) -> str:
    """'5 (lima) hari kerja'; a month-unit type (cuti besar, melahirkan, CLTN) over whole months: '3 (tiga) bulan'."""
    if req.leave_type.unit == "months" and (months := whole_months(req.start_date, req.end_date)):
        return f"{counted(months)} bulan"
    return f"{counted(req.days)} {UNIT_WORDS.get(req.leave_type.unit, 'hari')}"


@dataclass
class Person:
    name: str
    nip: str
    position: str
    rank: str
    unit: str
    employment: str


def person(employee: Employee) -> Person:
    return Person(
        name=employee.full_name,
        nip=employee.nip,
        position=employee.position.name_id if employee.position_id else "-",
        rank=pangkat_golongan(employee),
        unit=employee.unit.name_id,
        employment=EMPLOYMENT_WORDS.get(employee.employment_type, "Pegawai Aparatur Sipil Negara"),
    )


@dataclass
class Signatory:
    """Who acted on a step, as a signature block writes it: the jabatan line ('Plh. Direktur …'), name and NIP, and
    the decree of a delegation."""

    jabatan: str
    name: str
    nip: str
    decree: str = ""


def signatory(step: ApprovalStep | None, fallback_jabatan: str = "") -> Signatory | None:
    if step is None or step.actor is None:
        return None
    delegation = step.acting_for
    if delegation is not None:
        jabatan = f"{delegation.kind}. {delegation.position.name_id}"
        decree = delegation.decree_number
    elif step.acting_for_text:
        jabatan, decree = step.acting_for_text, ""
    else:
        actor_position = step.actor.position
        jabatan, decree = (actor_position.name_id if actor_position else fallback_jabatan), ""
    return Signatory(jabatan=jabatan or fallback_jabatan, name=step.actor.full_name, nip=step.actor.nip, decree=decree)
