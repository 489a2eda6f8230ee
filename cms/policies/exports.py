from django.utils.translation import gettext as _

from cms.home.exports import table_response


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
    return table_response(filename=f"pernyataan-{page.slug}", header=header, rows=rows, fmt=fmt)
