"""Optional columns of the payroll file that a treasury slip prints: NPWP, bank and account number, family status
(PTKP, e.g. K/2). Checked here; absent columns are simply not printed. Kept on the payslip as `Payslip.particulars`
({"npwp": "…", "bank": "…", "rekening": "…", "status_keluarga": "…"}, only the columns the file had)."""

import re

from django.utils.translation import gettext as _

from hr.payslips.amounts import AmountError

# column → accepted header names (lower case, spaces as underscores)
COLUMNS = {
    "npwp": ("npwp",),
    "bank": ("bank", "nama_bank"),
    "rekening": ("rekening", "no_rekening", "nomor_rekening", "bank_account"),
    "status_keluarga": ("status_keluarga", "family_status", "ptkp", "status_ptkp"),
}
ALIASES = {alias: column for column, aliases in COLUMNS.items() for alias in aliases}
LABELS = {"npwp": "NPWP", "bank": "Bank", "rekening": "Nomor rekening", "status_keluarga": "Status keluarga"}

_SEPARATORS = re.compile(r"[\s.\-]")
_DIGITS = re.compile(r"^\d+$")
_FAMILY = re.compile(r"^(TK|K|K/I)/[0-3]$")
_BANK = re.compile(r"^[\w .,&()/'-]{1,60}$")


def _npwp(text: str) -> str:
    digits = _SEPARATORS.sub("", text)
    if not _DIGITS.match(digits) or len(digits) not in (15, 16):
        raise AmountError(
            _("'%(v)s' is not an NPWP.") % {"v": text[:40]},
            _("An NPWP has 15 digits (01.234.567.8-901.000) or 16 (the NIK form); dots and dashes are allowed."),
        )
    return digits


def _account(text: str) -> str:
    digits = _SEPARATORS.sub("", text)
    if not _DIGITS.match(digits) or not 5 <= len(digits) <= 20:
        raise AmountError(
            _("'%(v)s' is not a bank account number.") % {"v": text[:40]},
            _("Write the account number in digits (5 to 20); spaces, dots and dashes are allowed."),
        )
    return digits


def _family(text: str) -> str:
    value = text.upper().replace(" ", "")
    if not _FAMILY.match(value):
        raise AmountError(
            _("'%(v)s' is not a family status.") % {"v": text[:40]},
            _("Write the PTKP status: TK/0 to TK/3, K/0 to K/3 or K/I/0 to K/I/3."),
        )
    return value


def _bank(text: str) -> str:
    if not _BANK.match(text) or text[0] in "=+-@":
        raise AmountError(
            _("'%(v)s' is not a bank name.") % {"v": text[:40]},
            _("Write the bank's name in letters, e.g. BRI or Bank Mandiri."),
        )
    return text


CHECKS = {"npwp": _npwp, "bank": _bank, "rekening": _account, "status_keluarga": _family}


def check(column: str, text: str) -> str:
    """The value to keep for `column`, or AmountError (message and hint) when the cell is wrong. '' stays ''."""
    return CHECKS[column](text) if text else ""


def formatted(particulars: dict) -> list[tuple[str, str]]:
    """[(label, value)] of what the payslip carries, for printing; the NPWP in its usual 15-digit form."""
    rows = []
    for column, label in LABELS.items():
        value = (particulars or {}).get(column, "")
        if not value:
            continue
        if column == "npwp" and len(value) == 15:
            value = f"{value[:2]}.{value[2:5]}.{value[5:8]}.{value[8]}-{value[9:12]}.{value[12:]}"
        rows.append((label, value))
    return rows
