"""CSV and XLSX files of approved leave (the same rows as the leave endpoint), written by the formula-safe
`intranet.core.tabular`."""

from django.utils.translation import gettext as _

from intranet.core import tabular


def _columns(with_nip: bool) -> list[tuple[str, str]]:
    cols = [
        ("unit_code", _("Unit code")),
        ("unit_name", _("Unit")),
        ("employee_name", _("Name")),
    ]
    if with_nip:
        cols.append(("nip", _("NIP")))
    cols += [
        ("leave_type_code", _("Leave type code")),
        ("leave_type_name", _("Leave type")),
        ("start_date", _("From")),
        ("end_date", _("Until")),
        ("days", _("Days")),
        ("days_unit", _("Counted in")),
        ("period_start", _("From (in period)")),
        ("period_end", _("Until (in period)")),
        ("working_days_in_period", _("Working days in period")),
    ]
    return cols


def _flat(item: dict) -> dict:
    return {
        **item,
        "employee_name": item["employee"]["full_name"],
        "nip": item["employee"].get("nip", ""),
    }


def leave_download(items: list[dict], *, fmt: str, filename: str, with_nip: bool = False):
    cols = _columns(with_nip)
    rows = ([_flat(item)[key] for key, _label in cols] for item in items)
    return tabular.download(
        filename=filename, header=[label for _key, label in cols], rows=rows, fmt=fmt, sheet_title=_("Approved leave")
    )
