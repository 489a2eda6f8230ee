import csv

from django.http import HttpResponse
from django.utils.translation import gettext as _


def report_csv(page, report) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="pernyataan-{page.slug}.csv"'
    response["Cache-Control"] = "private, no-store"
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([_("Unit"), _("NIP"), _("Name"), _("Position"), _("Acknowledged")])
    for row in report["units"]:
        for emp in row["people"]:
            writer.writerow(
                [
                    row["unit"].name,
                    emp.nip,
                    emp.full_name,
                    emp.position.name if emp.position else "",
                    _("yes") if emp.acknowledged else _("no"),
                ]
            )
    return response
