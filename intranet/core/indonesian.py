"""Numbers and dates as Indonesian official documents write them, whatever the interface language: numbers in words
(terbilang: "sembilan ratus sembilan puluh sembilan miliar …"), long dates ("5 Desember 2026") and periods
("Oktober 2026"). The one implementation of each; templates use the filters in `templatetags/indonesian.py`."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
_UNITS = ("nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan")
_SCALES = ((10**12, "triliun"), (10**9, "miliar"), (10**6, "juta"), (10**3, "ribu"))
MAX_WORDS = 10**15 - 1  # up to "… triliun": far beyond any payslip or leave length


def _below_thousand(n: int) -> list[str]:
    words: list[str] = []
    hundreds, rest = divmod(n, 100)
    if hundreds:
        words += ["seratus"] if hundreds == 1 else [_UNITS[hundreds], "ratus"]
    if rest >= 20:
        tens, unit = divmod(rest, 10)
        words += [_UNITS[tens], "puluh"]
        if unit:
            words.append(_UNITS[unit])
    elif rest >= 12:
        words += [_UNITS[rest - 10], "belas"]
    elif rest == 11:
        words.append("sebelas")
    elif rest == 10:
        words.append("sepuluh")
    elif rest:
        words.append(_UNITS[rest])
    return words


def terbilang(value) -> str:
    """A whole number in Indonesian words: 0 → 'nol', 1000 → 'seribu', 1500000 → 'satu juta lima ratus ribu'.
    Negative numbers get 'minus'; fractions are refused (amounts and days are whole)."""
    number = Decimal(str(value))
    if number != number.to_integral_value():
        raise ValueError(f"terbilang takes whole numbers, not {value}")
    n = int(number)
    if n < 0:
        return "minus " + terbilang(-n)
    if n > MAX_WORDS:
        raise ValueError(f"{n} is beyond what terbilang spells")
    if n == 0:
        return "nol"
    words: list[str] = []
    for scale, name in _SCALES:
        count, n = divmod(n, scale)
        if count:
            words += ["seribu"] if scale == 1000 and count == 1 else [*_below_thousand(count), name]
    words += _below_thousand(n)
    return " ".join(words)


def rupiah_words(value) -> str:
    """'lima juta dua ratus ribu rupiah': the net pay as a treasury slip writes it."""
    return f"{terbilang(value)} rupiah"


def counted(value) -> str:
    """'5 (lima)': a number as a letter writes it, the figure then the words in brackets."""
    return f"{int(value)} ({terbilang(value)})"


def _local(value: dt.date | dt.datetime) -> dt.date | dt.datetime:
    """An aware datetime on the agency's clock (a timestamp stored in UTC may fall on another day there)."""
    return timezone.localtime(value) if isinstance(value, dt.datetime) and timezone.is_aware(value) else value


def long_date(value: dt.date | dt.datetime) -> str:
    """'5 Desember 2026'."""
    value = _local(value)
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def month_year(value: dt.date | dt.datetime) -> str:
    """'Oktober 2026': a payroll period."""
    value = _local(value)
    return f"{MONTHS[value.month - 1]} {value.year}"
