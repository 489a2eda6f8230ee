"""A leave request with a supporting document, filed while private storage is read-only (a real remount): the employee
reads that nothing was saved, no request row and no file remain, and the log names the cause. A damaged letter is
rendered again rather than served."""

import datetime as dt
import logging

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hr.leave.models import LeaveRequest
from tests.disks import files_under, remount

from .conftest import monday


def test_attachment_on_a_read_only_disk_files_nothing(client, chain, types, year, small_private_disk, caplog):
    remount(small_private_disk, "ro")
    client.force_login(chain.staff.user)
    mon = monday(year, 1)
    form = {
        "leave_type": types["sakit"].pk,
        "start_date": mon.isoformat(),
        "end_date": (mon + dt.timedelta(days=2)).isoformat(),
        "reason": "Sakit",
        "address_during_leave": "Jl. Melati 2",
        "phone_during_leave": "0812 3456 7890",
        "submit": "1",
        "document": SimpleUploadedFile("surat-dokter.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
    }
    with caplog.at_level(logging.ERROR):
        response = client.post(reverse("leave:new"), form, HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 503
    assert "tidak ada yang tersimpan" in response.content.decode()
    assert not LeaveRequest.objects.filter(employee=chain.staff).exists()
    assert files_under(small_private_disk) == []
    assert "Read-only file system" in caplog.text


def test_a_truncated_letter_is_rendered_again_with_its_number(client, chain, types, year, settings, caplog):
    from hr.leave import services
    from hr.leave.models import LeaveLetter
    from tests.hr.leave.conftest import submit

    mon = monday(year, 2)
    req = submit(chain.staff, types["tahunan"], mon, mon)
    services.leave_request_decide(request_id=req.pk, user=chain.head.user, outcome="approve")
    services.leave_request_decide(request_id=req.pk, user=chain.director.user, outcome="approve")
    letter = services.letter_generate(request_id=req.pk)
    path = settings.PRIVATE_MEDIA_ROOT / letter.file_name
    path.write_bytes(path.read_bytes()[:100])  # a killed write of an earlier version
    client.force_login(chain.staff.user)
    with caplog.at_level(logging.ERROR):
        response = client.get(reverse("leave:letter", args=[req.pk]))
    body = b"".join(response.streaming_content)
    assert response.status_code == 200 and body.startswith(b"%PDF-") and body.rstrip().endswith(b"%%EOF")
    again = LeaveLetter.objects.get(request=req)
    assert (again.pk, again.number) == (letter.pk, letter.number)  # the same letter, not a new number
    assert "damaged" in caplog.text
