"""The payslip as a document (A4, print CSS, the signature slot of the payroll unit), as a treasury slip has it: the
period in words ("Oktober 2026"), every component of the catalogue even when zero, the net pay in words, and NPWP,
bank account and family status when the payroll file carried them."""


from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import override

from hr.org.ranks import PANGKAT

from .models import Payslip
from .particulars import formatted
from .services import payslip_lines


def payslip_html(payslip: Payslip) -> str:
    """The payslip as a standalone A4 document, in Indonesian (with English glosses) whatever the reader's language."""
    with override("id"):
        return render_to_string(
            "payslips/pdf.html",
            {
                "slip": payslip,
                **payslip_lines(payslip, with_zeros=True),
                "rank": f"{PANGKAT[payslip.grade]}, {payslip.grade}" if payslip.grade in PANGKAT else payslip.grade,
                "particulars": formatted(payslip.particulars),
                "issuer": settings.SERAMBI_PAYROLL_UNIT,
                "city": settings.SERAMBI_AGENCY_CITY,
                "agency_name": settings.SERAMBI_AGENCY_NAME,
                "agency_address": settings.SERAMBI_AGENCY_ADDRESS,
                "generated_at": timezone.localtime(),
            },
        )
