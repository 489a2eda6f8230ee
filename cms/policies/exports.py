from django.utils.translation import gettext as _

from intranet.core import tabular


def report_table(page, report, fmt: str = "csv"):
    header = [_("Unit"), _("NIP"), _("Name"), _("Position"), _("Acknowledged")]
    rows = [
        [
            row["unit"].name,
            emp.nip,
            emp.full_name,
            emp.position.name if emp.position else "",
            _("yes") if emp.acknowledged else _("no"),
        ]
        for row in report["units"]
        for emp in row["people"]
    ]
    return tabular.download(filename=f"pernyataan-{page.slug}", header=header, rows=rows, fmt=fmt)
