"""How the self-service pages read payslips: the list finds the user's payslips through their employee record in the
same query (no separate employee lookup); a kept PDF is served from a narrow read of the payslip, and a PDF that
must be rendered first still gets the whole payslip."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from hr.org.selectors import employee_for_user
from hr.payslips import selectors, services
from hr.payslips.models import Payslip
from intranet.core.private_files import private_storage
from tests.query_bounds import queries

from .conftest import publish_rows, row_for

pytestmark = pytest.mark.django_db


def _repeat(client, url):
    """The queries of a repeated request."""
    client.get(url)
    with queries() as q:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return q


def test_list_reads_no_employee_record_of_its_own(client, published, people):
    client.force_login(people["a"].user)
    with queries() as q:
        assert client.get(reverse("payslips:index")).status_code == 200
    assert not q.reading("org_employee"), q.listing()
    assert len(q.reading("payslips_payslip")) <= 2, q.listing()  # the years, the year's payslips


def test_list_is_the_readers_copy_until_a_payslip_of_theirs_is_published(
    client, published, people, django_capture_on_commit_callbacks
):
    """The second view reads no payslip (the reader's copy) but is audited all the same; a new payslip of theirs
    (they are notified) shows at once."""
    from intranet.audit.models import AuditEntry

    client.force_login(people["a"].user)
    first = client.get(reverse("payslips:index"))
    q = _repeat(client, reverse("payslips:index"))
    assert not q.reading("payslips_payslip"), q.listing()
    assert AuditEntry.objects.filter(action="payslip.list", actor=people["a"].user).count() == 3
    with django_capture_on_commit_callbacks(execute=True):  # the notifications go out once the publication commits
        publish_rows(people["officer"].user, [row_for(people["a"], period="2026-02")])
    again = client.get(reverse("payslips:index"))
    assert again.content != first.content
    assert again.content.count(b'data-testid="payslip-row"') == first.content.count(b'data-testid="payslip-row"') + 1


def test_own_payslips_same_with_or_without_the_employee_read(published, people):
    user = people["a"].user
    joined = (selectors.own_years(user), list(selectors.own_payslips(user)))
    employee_for_user(user)  # now cached on the user: the selectors filter by it
    assert (selectors.own_years(user), list(selectors.own_payslips(user))) == joined
    assert joined[1] and all(s.employee_id == people["a"].pk for s in joined[1])


def test_kept_pdf_is_served_from_a_narrow_read(client, published, people):
    slip = Payslip.objects.get(batch=published, employee=people["b"])
    client.force_login(people["b"].user)
    services.payslip_pdf(payslip=slip)  # rendered and kept
    reads = _repeat(client, reverse("payslips:pdf", args=[slip.pk])).reading("payslips_payslip")
    assert reads and len(reads) <= 1, reads
    assert not [r for r in reads if '"payslips_payslip"."components"' in r], reads


def test_pdf_rendered_from_a_narrow_read_has_the_whole_payslip(published, people, settings):
    settings.SERAMBI_PAYSLIP_PDF_PASSWORD = "nip"  # a file name of its own: rendered here, not kept from before
    slip = Payslip.objects.get(batch=published, employee=people["a"])
    narrow, basis = selectors.payslip_for_user(people["a"].user, slip.pk, fields=selectors.PDF_FIELDS)
    assert basis == "own" and narrow.get_deferred_fields()
    name = services.payslip_pdf(payslip=narrow)
    with private_storage().open(name) as f:
        reader = PdfReader(io.BytesIO(f.read()))
    assert reader.decrypt(slip.nip)
    text = reader.pages[0].extract_text()
    assert slip.nip in text and f"{int(slip.net):,}".replace(",", ".") in text and "Gaji pokok" in text


def test_an_account_linked_to_another_employee_never_sees_the_previous_persons_copy(client, published, people):
    """A directory relink (an account moved to another employee record) retires the copy at once: the organisation
    generation is part of its key."""
    account = people["a"].user
    client.force_login(account)
    slip_a = Payslip.objects.get(batch=published, employee=people["a"])
    slip_b = Payslip.objects.get(batch=published, employee=people["b"])
    first = client.get(reverse("payslips:index")).content.decode()
    assert str(slip_a.pk) in first and str(slip_b.pk) not in first
    a, b = people["a"], people["b"]
    b_account = b.user
    a.user = None
    a.save(update_fields=["user"])
    b.user = None
    b.save(update_fields=["user"])
    b.user = account
    b.save(update_fields=["user"])
    b_account.delete()
    again = client.get(reverse("payslips:index")).content.decode()
    assert str(slip_b.pk) in again and str(slip_a.pk) not in again
