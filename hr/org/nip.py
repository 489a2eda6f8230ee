"""NIP (Nomor Induk Pegawai): the 18-digit number of a civil servant (PNS/CPNS) or of a government employee with a work
agreement (PPPK).

PNS/CPNS layout: birth date YYYYMMDD (8) + CPNS start YYYYMM (6) + gender digit (1 = male, 2 = female) + sequence (3).
PPPK layout (as BKN issues them): birth date YYYYMMDD (8) + year of appointment YYYY (4) + the PPPK code 21 where a
civil servant's NIP has the start month (2) + gender digit (1) + sequence (3), e.g. 199203142022212001. A month is
never 21, so the two layouts cannot be confused.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

NIP_RE = re.compile(r"^\d{18}$")
PPPK_CODE = "21"  # digits 13-14 of a PPPK NIP


@dataclass(frozen=True)
class ParsedNIP:
    birth_date: dt.date
    cpns_start: dt.date  # first day of the CPNS start month (TMT CPNS); for PPPK, 1 January of the appointment year
    gender: str  # "M" or "F"
    sequence: int
    pppk: bool = False  # digits 13-14 hold the PPPK code instead of a month


def parse_nip(value: str) -> ParsedNIP:
    """Parse and validate a NIP; raise ValidationError with a message that says what is wrong and how to fix it."""
    raw = (value or "").replace(" ", "")
    if not NIP_RE.match(raw):
        raise ValidationError(
            _("NIP must be exactly 18 digits (got %(length)s characters)."),
            code="nip_format",
            params={"length": len(raw)},
        )
    try:
        birth = dt.date(int(raw[0:4]), int(raw[4:6]), int(raw[6:8]))
    except ValueError:
        raise ValidationError(
            _("NIP digits 1-8 must be a real birth date YYYYMMDD; %(part)s is not a date."),
            code="nip_birth_date",
            params={"part": raw[0:8]},
        ) from None
    year, month = int(raw[8:12]), int(raw[12:14])
    pppk = raw[12:14] == PPPK_CODE
    if pppk:
        month = 1  # a PPPK NIP gives the year of appointment only
    if not (1 <= month <= 12) or year < 1900:
        raise ValidationError(
            _(
                "NIP digits 9-14 must be the CPNS start month YYYYMM, or for PPPK the appointment year followed by "
                "21; %(part)s is neither."
            ),
            code="nip_cpns_start",
            params={"part": raw[8:14]},
        )
    cpns_start = dt.date(year, month, 1)
    before_birth = year <= birth.year if pppk else cpns_start <= birth
    if before_birth:
        raise ValidationError(
            _("NIP CPNS start %(start)s cannot be before the birth date %(birth)s."),
            code="nip_cpns_before_birth",
            params={"start": raw[8:14], "birth": raw[0:8]},
        )
    gender_digit = raw[14]
    if gender_digit not in ("1", "2"):
        raise ValidationError(
            _("NIP digit 15 is the gender digit and must be 1 (male) or 2 (female), not %(digit)s."),
            code="nip_gender",
            params={"digit": gender_digit},
        )
    sequence = int(raw[15:18])
    if sequence == 0:
        raise ValidationError(_("NIP digits 16-18 are a sequence number and cannot be 000."), code="nip_sequence")
    return ParsedNIP(
        birth_date=birth,
        cpns_start=cpns_start,
        gender="M" if gender_digit == "1" else "F",
        sequence=sequence,
        pppk=pppk,
    )


def validate_nip(value: str) -> None:
    parse_nip(value)


def build_nip(*, birth_date: dt.date, cpns_start: dt.date, gender: str, sequence: int, pppk: bool = False) -> str:
    """The NIP of these parts; `pppk`: the PPPK layout (appointment year of `cpns_start`, then the PPPK code)."""
    start = f"{cpns_start:%Y}{PPPK_CODE}" if pppk else f"{cpns_start:%Y%m}"
    return f"{birth_date:%Y%m%d}{start}{'1' if gender == 'M' else '2'}{sequence:03d}"
