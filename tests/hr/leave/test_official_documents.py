"""The Formulir Permintaan dan Pemberian Cuti and the Surat Izin Cuti as the annex of Peraturan BKN 24/2017 has them:
sections filled from the request, ledger and steps; each letter type's wording; a Plh signature; who may see the
form."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from hr.leave import services
from hr.leave.models import LeaveLetter, LeaveRequest
from hr.leave.official.form import form_html
from hr.leave.official.letter import letter_html
from hr.org.models import Delegation
from intranet.audit.models import AuditEntry
from tests import factories
from tests.document_text import words as text

from .conftest import monday, submit

pytestmark = pytest.mark.django_db
Status = LeaveRequest.Status


def plh_today(unit, decree: str):
    """A Plh holding the authority of the head of `unit` for today, by `decree`."""
    plh = factories.EmployeeFactory(unit=unit, name="Pelaksana Harian")
    today = timezone.localdate()
    delegation = Delegation.objects.create(
        position=unit.head_position, acting=plh, kind="Plh", start_date=today, end_date=today, decree_number=decree
    )
    return plh, delegation


@pytest.fixture
def approved(chain, types, year):
    services.allocate_year(year=year, employee_ids=[chain.staff.pk])
    mon = monday(year, 2)
    req = submit(chain.staff, types["tahunan"], mon, mon + dt.timedelta(days=4))
    services.leave_request_decide(request_id=req.pk, user=chain.head.user, outcome="approve", reason="Pekerjaan aman")
    services.leave_request_decide(request_id=req.pk, user=chain.director.user, outcome="approve")
    return LeaveRequest.objects.select_related("employee__unit", "employee__position", "leave_type").get(pk=req.pk)


def test_form_has_the_eight_sections_filled(chain, approved, year):
    approved.employee.golongan = "III/c"
    html = form_html(approved)
    words = text(html)
    for heading in (
        "I. DATA PEGAWAI",
        "II. JENIS CUTI YANG DIAMBIL",
        "III. ALASAN CUTI",
        "IV. LAMANYA CUTI",
        "V. CATATAN CUTI",
        "VI. ALAMAT SELAMA MENJALANKAN CUTI",
        "VII. PERTIMBANGAN ATASAN LANGSUNG",
        "VIII. KEPUTUSAN PEJABAT YANG BERWENANG MEMBERIKAN CUTI",
    ):
        assert heading in words
    assert "Staf Satu" in words and chain.staff.nip in words and "Penata, III/c" in words
    # masa kerja from the TMT CPNS (1 February 2010) to the day of the request
    submitted = timezone.localdate(approved.created_at)
    assert f"Masa Kerja {submitted.year - 2010 - (submitted.month < 2)} tahun" in words
    # all six types, the chosen one marked
    for name in ("Cuti Tahunan", "Cuti Besar", "Cuti Sakit", "Cuti Melahirkan", "Cuti Karena Alasan Penting"):
        assert name in words
    assert "Cuti di Luar Tanggungan Negara" in words
    assert html.count('data-testid="form-type-chosen"') == 1
    assert re.search(r"1\. Cuti Tahunan</td><td class=\"mark\" data-testid=\"form-type-chosen\">", html)
    assert "Selama 5 (lima) hari kerja" in words
    assert "Jl. Melati 2, Bandung" in words and "0812 3456 7890" in words
    # VII and VIII: approve marked, with the reason and who
    assert html.count('data-testid="form-vii-chosen"') == 1 and html.count('data-testid="form-viii-chosen"') == 1
    assert "Pekerjaan aman" in words and "Kepala Sub Satu" in words and "Direktur Satu" in words
    # the N row: before this request the employee had the year's 12 days
    assert re.search(
        r'data-testid="form-annual-N"><td class="center">N \(\d{4}\)</td><td class="num" data-testid="form-sisa">12 hari',
        html,
    )
    # one empty signature slot, in section VIII
    assert html.count('<div id="tte" class="tte-slot"></div>') == 1
    assert html.index('id="tte"') > html.index("VIII. KEPUTUSAN")


def test_pending_form_leaves_decisions_open(chain, types, year):
    mon = monday(year, 3)
    req = submit(chain.staff, types["tahunan"], mon, mon)
    words = text(form_html(req))
    assert "(belum diberikan)" in words
    assert "form-viii-chosen" not in form_html(req)


def test_one_step_request_fills_both_considerations_and_names_a_plh(chain, types, year, org):
    """When the superior is the official, one decision fills VII and VIII; a Plh signs as 'Plh. <jabatan>'."""
    plh, _delegation = plh_today(org["DIR1"], "ND-7/2026")
    mon = monday(year, 2)
    req = submit(chain.dir_staff, types["tahunan"], mon, mon + dt.timedelta(days=1))
    services.leave_request_decide(request_id=req.pk, user=plh.user, outcome="defer", reason="Akhir tahun anggaran")
    req = LeaveRequest.objects.select_related("employee__unit", "leave_type", "official_position").get(pk=req.pk)
    html = form_html(req)
    assert 'data-testid="form-vii-chosen"' in html and 'data-testid="form-viii-chosen"' in html
    for part in ("vii", "viii"):  # the third box of four, DITANGGUHKAN, is the one ticked
        row = next(r for r in html.split("<tr>") if f"form-{part}-chosen" in r)
        boxes = re.findall(r'<td class="mark"[^>]*>', row)
        assert len(boxes) == 4 and [i for i, b in enumerate(boxes) if "chosen" in b] == [2]
    words = text(html)
    assert f"Plh. {org['DIR1'].head_position.name_id}, Pelaksana Harian NIP {plh.nip} berdasarkan ND-7/2026" in words
    assert words.count("Akhir tahun anggaran") == 2


def test_form_page_and_pdf_follow_request_visibility(client, chain, approved):
    page, pdf = reverse("leave:form", args=[approved.pk]), reverse("leave:form_pdf", args=[approved.pk])
    for person in (chain.staff, chain.head, chain.director, chain.hr):
        client.force_login(person.user)
        response = client.get(page)
        assert response.status_code == 200 and "FORMULIR PERMINTAAN DAN PEMBERIAN CUTI" in response.text
        response = client.get(pdf)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 200 and body.startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="leave.form.download").count() == 4
    for person in (chain.colleague, chain.outsider, chain.hr_other):
        client.force_login(person.user)
        assert client.get(page).status_code == 404
        assert client.get(pdf).status_code == 404
    assert AuditEntry.objects.filter(action="leave.form.denied").count() == 6


# --- letters ---------------------------------------------------------------------------------------------------------
def letter_for(chain, leave_type, start, end, days, *, actor=None, delegation=None) -> str:
    """An approved request of `leave_type` with its decision step and letter, built directly (the wording is under
    test, not the rules of each type)."""
    from hr.leave.models import ApprovalStep

    req = LeaveRequest.objects.create(
        employee=chain.staff,
        leave_type=leave_type,
        start_date=start,
        end_date=end,
        days=days,
        reason="Keperluan",
        address_during_leave="Jl. Melati 2",
        phone_during_leave="0812",
        status=Status.APPROVED,
        official_position=chain.director.position,
    )
    ApprovalStep.objects.create(
        request=req,
        stage="official",
        outcome="approve",
        actor=actor or chain.director,
        acting_for=delegation,
        acting_for_text=f"{delegation.kind}. {delegation.position.name_id}" if delegation else "",
    )
    seq = LeaveLetter.objects.count() + 1
    letter = LeaveLetter.objects.create(request=req, year=2026, sequence=seq, number=f"{seq:04d}/KP.08.01/2026")
    return text(letter_html(letter))


def test_letter_wording_per_leave_type(chain, types, settings):
    settings.SERAMBI_AGENCY_CITY = "Jakarta"
    chain.staff.golongan = "III/c"
    chain.staff.save()
    chain.director.position.name_id = "Direktur Kepegawaian"
    chain.director.position.save()
    start = dt.date(2027, 3, 1)
    annual = letter_for(chain, types["tahunan"], start, start + dt.timedelta(days=4), 5)
    assert "SURAT IZIN CUTI TAHUNAN" in annual
    assert "Diberikan cuti tahunan untuk tahun 2027 kepada Pegawai Negeri Sipil:" in annual
    assert (
        "selama 5 (lima) hari kerja, terhitung mulai tanggal 1 Maret 2027 sampai dengan tanggal 5 Maret 2027" in annual
    )
    assert "Pangkat/golongan ruang : Penata, III/c" in annual and "Satuan organisasi :" in annual
    assert "Direktur Kepegawaian, " in annual and "Direktur Satu" in annual
    assert re.search(
        r"Jakarta, \d{1,2} (Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember) \d{4}",
        annual,
    )
    assert (
        "Tembusan: Atasan langsung yang bersangkutan; Pengelola kepegawaian; Bendahara/unit pengelola gaji." in annual
    )

    long = letter_for(chain, types["besar"], start, start + dt.timedelta(days=59), 60)
    assert "SURAT IZIN CUTI BESAR" in long and "Diberikan cuti besar kepada Pegawai Negeri Sipil:" in long
    assert "selama 60 (enam puluh) hari kalender" in long and "hak atas cuti tahunan dalam tahun 2027 gugur" in long
    whole = letter_for(chain, types["besar"], start, dt.date(2027, 5, 31), 92)
    assert "selama 3 (tiga) bulan, terhitung mulai tanggal 1 Maret 2027 sampai dengan tanggal 31 Mei 2027" in whole

    sick = letter_for(chain, types["sakit"], start, start + dt.timedelta(days=13), 14)
    assert "SURAT IZIN CUTI SAKIT" in sick and "selama 14 (empat belas) hari kalender" in sick
    assert "Sebelum menjalankan cuti sakit wajib menyerahkan pekerjaannya" in sick

    birth = letter_for(chain, types["melahirkan"], start, start + dt.timedelta(days=89), 90)
    assert "SURAT IZIN CUTI MELAHIRKAN" in birth and "selama 90 (sembilan puluh) hari kalender" in birth
    assert "memberitahukan tanggal persalinan" in birth

    important = letter_for(chain, types["alasan-penting"], start, start + dt.timedelta(days=10), 11)
    assert "SURAT IZIN CUTI KARENA ALASAN PENTING" in important
    assert "Diberikan cuti karena alasan penting kepada Pegawai Negeri Sipil:" in important
    assert "selama 11 (sebelas) hari kalender" in important

    unpaid = letter_for(chain, types["cltn"], start, start + dt.timedelta(days=364), 365)
    assert "SURAT IZIN CUTI DI LUAR TANGGUNGAN NEGARA" in unpaid
    assert "selama 365 (tiga ratus enam puluh lima) hari kalender" in unpaid
    assert "tidak menerima penghasilan dari negara" in unpaid


def test_letter_signed_by_a_plh_names_the_delegation(chain, types, org, settings):
    settings.SERAMBI_LEAVE_LETTER_COPIES = ["Kepala Biro SDM", "Arsip"]
    position = org["DIR1"].head_position
    position.name_id = "Direktur Kepegawaian"
    position.save()
    plh, delegation = plh_today(org["DIR1"], "ND-12/2026")
    start = dt.date(2027, 3, 1)
    words = letter_for(chain, types["tahunan"], start, start, 1, actor=plh, delegation=delegation)
    assert "selama 1 (satu) hari kerja" in words
    assert "Plh. Direktur Kepegawaian, " in words and "Pelaksana Harian" in words and plh.nip in words
    assert "Berdasarkan ND-12/2026" in words
    assert "Tembusan: Kepala Biro SDM; Arsip." in words


def test_letter_has_one_signature_slot_in_the_signature_block(chain, types):
    start = dt.date(2027, 3, 1)
    letter_for(chain, types["tahunan"], start, start, 1)
    html = letter_html(LeaveLetter.objects.get())
    assert html.count('<div id="tte" class="tte-slot"></div>') == 1
    sign = html.index('data-testid="letter-signature"')
    assert sign < html.index('id="tte"') < html.index("Tembusan")


def test_the_letter_service_issues_the_annex_wording(approved):
    """The stored PDF of an approved request is the annex's letter."""
    import io

    from pypdf import PdfReader

    from intranet.core.private_files import private_storage

    letter = services.letter_generate(request_id=approved.pk)
    with private_storage().open(letter.file_name, "rb") as fh:
        pdf_text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(fh.read())).pages).split())
    assert "SURAT IZIN CUTI TAHUNAN" in pdf_text and "5 (lima) hari kerja" in pdf_text
    assert f"untuk tahun {approved.year}" in pdf_text and "Tembusan" in pdf_text
