"""Rupiah amounts in a payroll file: exact whole rupiah as Decimal, never floating point.

Thousands separators are inferred per file, from all its amounts together: a cell such as `1.250.000`, `1.250.000,00`
or `1250000,00` shows that the file groups thousands with '.', and `1,250,000` or `1250000.00` that it groups them
with ','. A single group (`72.420`) is then read with the file's convention; in a file where no amount shows the
convention, or where amounts show both, it stays ambiguous and is refused."""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

MAX_DIGITS = 13  # up to Rp 9,999,999,999,999 per cell

_PLAIN = re.compile(r"^\d+$")
_FRACTION = re.compile(r"^(.*?)([.,])(\d{1,2})$")
_SINGLE_GROUP = re.compile(r"^\d{1,3}[.,]\d{3}$")


class AmountError(ValueError):
    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.message, self.hint = message, hint


class Ambiguous(AmountError):
    """A single thousands group ('1.250') that only the file's convention can read."""


def _formula_error() -> AmountError:
    return AmountError(
        _("The cell holds a formula or starts with =, +, - or @."),
        _("Paste values only (no formulas) and export again."),
    )


def _not_whole(original) -> AmountError:
    return AmountError(
        _("%(v)s is not a whole rupiah amount.") % {"v": original},
        _("Amounts are whole rupiah: round in the payroll system and export again."),
    )


def _bare(text: str) -> str:
    s = text.strip().replace("\u00a0", " ")
    s = s.removeprefix("-").strip()
    return s[2:].strip() if s[:2].lower() == "rp" else s


def thousands_evidence(raw) -> str | None:
    """The thousands separator a text cell shows ('.' or ','), or None when it shows none."""
    if not isinstance(raw, str) or raw.isdigit():
        return None
    s = _bare(raw)
    m = _FRACTION.match(s)
    if m:  # a decimal part ('…,00') names the other character as the thousands separator
        return "." if m.group(2) == "," else ","
    if "." in s and "," in s:
        return None
    for sep in (".", ","):
        if s.count(sep) >= 2 and re.match(r"^\d{1,3}(?:" + re.escape(sep) + r"\d{3})+$", s):
            return sep
    return None


def is_single_group(raw) -> bool:
    return isinstance(raw, str) and not raw.isdigit() and bool(_SINGLE_GROUP.match(_bare(raw)))


def parse_amount(raw, thousands: str | None = None, *, conflicting: bool = False) -> Decimal | None:
    """Exact whole rupiah as Decimal; None for an empty cell. `thousands` is the file's inferred separator (None when
    unknown or, with `conflicting`, contradictory). Raises AmountError with a message and a hint."""
    if raw is None:
        return None
    if type(raw) is str and raw.isascii() and raw.isdigit():  # fast path: plain digits, the common case
        if len(raw) > MAX_DIGITS and len(raw.lstrip("0")) > MAX_DIGITS:
            raise AmountError(_("The amount is too large."), _("Check the column; amounts have at most 13 digits."))
        return Decimal(raw)
    value = _cell_value(raw, thousands, conflicting)
    if value is None:
        return None
    if value != value.to_integral_value():
        raise _not_whole(raw)
    value = value.quantize(Decimal(1))
    if len(str(abs(value))) > MAX_DIGITS:
        raise AmountError(_("The amount is too large."), _("Check the column; amounts have at most 13 digits."))
    return value


def _cell_value(raw, thousands: str | None, conflicting: bool) -> Decimal | None:
    """A cell as a Decimal, by what the spreadsheet or CSV made of it (a number, a date, text)."""
    if isinstance(raw, bool):
        raise AmountError(_("A yes/no value is not an amount."), _("Enter the amount in rupiah, e.g. 1250000."))
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        if not raw.is_integer():
            raise _not_whole(raw)
        return Decimal(int(raw))
    if isinstance(raw, Decimal):
        return raw
    if isinstance(raw, dt.date | dt.datetime | dt.time):
        raise AmountError(_("A date is not an amount."), _("Format the column as a number."))
    return _parse_amount_text(str(raw), thousands, conflicting)


def _parse_amount_text(text: str, thousands: str | None, conflicting: bool) -> Decimal | None:
    s = text.strip()
    if not s:
        return None
    if s.startswith(("=", "+", "@", "\t", "\r")):
        raise _formula_error()
    negative = s.startswith("-")
    if negative:
        s = s[1:].strip()
    if s[:2].lower() == "rp":
        s = s[2:].strip()
    if "e" in s.lower():
        raise AmountError(
            _("'%(v)s' is in scientific notation.") % {"v": text.strip()},
            _("Format the column as a plain number (e.g. 1500000, not 1.5e6)."),
        )
    value = Decimal(s) if _PLAIN.match(s) else _parse_grouped(s, text.strip(), thousands, conflicting)
    return -value if negative else value


def _ambiguous(original: str, conflicting: bool) -> Ambiguous:
    return Ambiguous(
        _("'%(v)s' cannot be read unambiguously (thousands or decimal separator?).") % {"v": original},
        _("This file groups thousands both with '.' and with ','; write amounts as plain digits, e.g. 1250000.")
        if conflicting
        else _(
            "No amount in this file shows how it groups thousands (as in 1.250.000); write amounts as plain "
            "digits, e.g. 1250000."
        ),
    )


def _parse_grouped(s: str, original: str, thousands: str | None, conflicting: bool) -> Decimal:
    """'1.250.000', '1,250,000', '1.250.000,00', '1250000.00', '1 250 000'; a single group ('1.250') with the file's
    thousands separator."""
    s = s.replace("\u00a0", " ")
    fraction = ""
    m = _FRACTION.match(s)
    if m:
        s, dec_sep, fraction = m.group(1), m.group(2), m.group(3)
        if any(c != "0" for c in fraction):
            raise _not_whole(original)
        if dec_sep in s:
            raise _ambiguous(original, conflicting)
    if _PLAIN.match(s):
        return Decimal(s)
    for sep in (".", ",", " "):
        if re.match(r"^\d{1,3}(?:" + re.escape(sep) + r"\d{3})+$", s):
            if s.count(sep) < 2 and not fraction and sep != " ":
                if thousands is None:
                    raise _ambiguous(original, conflicting)
                if sep != thousands:  # in this file it is a decimal point: '1,250' is 1.25 rupiah
                    raise AmountError(
                        _("'%(v)s' is not a whole rupiah amount in this file, which groups thousands with '%(sep)s'.")
                        % {"v": original, "sep": thousands},
                        _("Use the same separators in every amount, or plain digits, e.g. 1250000."),
                    )
            try:
                return Decimal(s.replace(sep, ""))
            except InvalidOperation:  # pragma: no cover - the pattern admits digits only
                break
    raise AmountError(
        _("'%(v)s' is not an amount.") % {"v": original},
        _("Write the amount as plain digits, e.g. 1250000."),
    )
