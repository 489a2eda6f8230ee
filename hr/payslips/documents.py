"""The payslip PDF as an issued document: rendered, signed on behalf of the agency's payroll unit, stored and
verifiable by its code. Published payslips get their records in the publishing transaction; the sweep renders them
(a batch is thousands of PDFs: not in the request), and a download renders one that is not ready yet."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from intranet.issued import registry
from intranet.issued import services as issued

from .models import Payslip
from .printed_slip import payslip_html as document_html
from .services import pdf_password

KIND = "payslip.pdf"


def payslip_html(payslip: Payslip) -> str:
    return document_html(Payslip.objects.select_related("employee", "batch").get(pk=payslip.pk))


def payslip_parties(payslip: Payslip) -> registry.Parties:
    return registry.Parties(
        holder_name=payslip.name,
        holder_nip=payslip.nip,
        holder_user_id=payslip.employee.user_id,
        issuer_unit=settings.SERAMBI_PAYROLL_UNIT,
        signer_name=settings.SERAMBI_PAYROLL_UNIT,
        signer_title=settings.SERAMBI_AGENCY_NAME,
    )


def _password(payslip: Payslip) -> str:
    if payslip.get_deferred_fields():
        payslip = Payslip.objects.select_related("employee").get(pk=payslip.pk)
    return pdf_password(payslip)


def register() -> None:
    registry.register(
        registry.Kind(
            code=KIND,
            label=_("Payslip"),
            render=payslip_html,
            parties=payslip_parties,
            file_stem=lambda slip: f"slip-gaji-{slip.period:%Y-%m}",
            password=_password,
        )
    )


def issue_for_batch(batch) -> int:
    """In the publishing transaction: a record for each published payslip of the batch; each corrected payslip's
    document says it was superseded by the correction's."""
    published = list(
        Payslip.objects.filter(batch=batch, status=Payslip.Status.PUBLISHED)
        .select_related("employee")
        .only("id", "name", "nip", "period", "employee_id", "employee__user_id")
    )
    by_employee = {slip.employee_id: slip.pk for slip in published}
    corrected = Payslip.objects.filter(superseded_by_batch=batch).values_list("pk", "employee_id")
    replacing = {by_employee[emp]: pk for pk, emp in corrected if emp in by_employee}
    made = issued.issue_many(KIND, published, replacing=replacing)
    return made


def payslip_pdf(*, payslip: Payslip) -> str:
    """The storage name of the payslip's signed PDF (rendered now when it is not ready yet; NotReady when that
    fails)."""
    in_force = payslip.status == Payslip.Status.PUBLISHED
    return issued.current_file(KIND, payslip, in_force=in_force).file_name
