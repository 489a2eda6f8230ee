"""Payroll uploads and payslip PDFs under real storage faults (a tiny file system, filled up): a clear message, no
batch row, no file; a PDF whose first rendering hit a full disk is never served short, and is rendered again."""

import logging

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hr.payslips import demo
from hr.payslips.models import Payslip, PayslipBatch
from intranet.core.models import StoredFile
from intranet.issued.models import IssuedDocument
from tests.disks import files_under, fill

from .conftest import publish_rows, row_for


def test_payroll_upload_on_a_full_disk_leaves_no_batch(client, people, small_private_disk, caplog):
    fill(small_private_disk)
    client.force_login(people["officer"].user)
    data = demo.csv_bytes([row_for(people["a"])])
    with caplog.at_level(logging.ERROR):
        response = client.post(
            reverse("payslips:batches"), {"file": SimpleUploadedFile("jan.csv", data, "text/csv")},
            HTTP_ACCEPT_LANGUAGE="en",
        )  # fmt: skip
    assert response.status_code == 503
    assert "nothing was saved" in response.content.decode()
    assert not PayslipBatch.objects.exists()
    assert files_under(small_private_disk) == []
    assert "No space left on device" in caplog.text


def test_payslip_pdf_never_served_short_after_a_full_disk(client, people, small_private_disk):
    publish_rows(people["officer"].user, [row_for(people["a"])])
    slip = Payslip.objects.get(employee=people["a"])
    filler = fill(small_private_disk)
    client.force_login(people["a"].user)
    url = reverse("payslips:pdf", args=[slip.pk])
    first = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    # the document stays recorded as failed and is retried: the employee is told so, no 0-byte or partial file
    assert first.status_code == 503 and "being tried again automatically" in first.content.decode()
    assert not [n for n in files_under(small_private_disk) if n.startswith("issued/")]
    doc = IssuedDocument.objects.get(kind="payslip.pdf", source_id=str(slip.pk))
    assert doc.state == "failed" and "No space left" in doc.last_error
    filler.unlink()
    second = client.get(url)
    assert second.status_code == 200
    body = b"".join(second.streaming_content)
    assert body.startswith(b"%PDF") and body.rstrip().endswith(b"%%EOF")
    assert StoredFile.objects.get(name__startswith="issued/").size == len(body)


def test_a_short_payslip_pdf_left_by_an_earlier_version_is_rendered_again(client, people, settings, caplog):
    publish_rows(people["officer"].user, [row_for(people["a"])])
    slip = Payslip.objects.get(employee=people["a"])
    client.force_login(people["a"].user)
    url = reverse("payslips:pdf", args=[slip.pk])
    assert client.get(url).status_code == 200
    record = StoredFile.objects.get(name__startswith="issued/")
    (settings.PRIVATE_MEDIA_ROOT / record.name).write_bytes(b"")  # what a disk-full rendering used to leave
    with caplog.at_level(logging.ERROR):
        again = client.get(url)
    body = b"".join(again.streaming_content)
    record = StoredFile.objects.filter(name__startswith="issued/").order_by("-pk").first()  # issued again, new code
    assert again.status_code == 200 and body.startswith(b"%PDF") and len(body) == record.size > 0
    assert list(IssuedDocument.objects.order_by("pk").values_list("state", flat=True)) == ["superseded", "ready"]
    assert "damaged (size 0" in caplog.text
