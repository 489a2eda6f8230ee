"""Quantities of leave in words, with the plural of the language ("1 working day", "3 months"): one place for every
message and page of the leave module."""

from django.utils.translation import ngettext

WORKING_DAYS, CALENDAR_DAYS, MONTHS = "working_days", "calendar_days", "months"


def quantity(n: int, unit: str) -> str:
    if unit == MONTHS:
        return ngettext("%(n)s month", "%(n)s months", n) % {"n": n}
    if unit == CALENDAR_DAYS:
        return ngettext("%(n)s calendar day", "%(n)s calendar days", n) % {"n": n}
    if unit == WORKING_DAYS:
        return ngettext("%(n)s working day", "%(n)s working days", n) % {"n": n}
    return ngettext("%(n)s day", "%(n)s days", n) % {"n": n}


def counted(n: int, unit: str) -> str:
    """A request's length: month-unit types are counted in calendar days and only checked in months."""
    return quantity(n, CALENDAR_DAYS if unit == MONTHS else unit)
