"""Seed the leave rules (PP 11/2017 as amended by PP 17/2020; Peraturan BKN 24/2017 as amended by Perban 7/2021) and
the holiday calendars around the current year (from `holidays.ID`, public + government categories). Everything here is
data HR administrators edit afterwards in the admin; the migration only creates rows that do not exist yet."""

import datetime as dt

from django.db import migrations

ALL = ["PNS", "CPNS", "PPPK"]

TYPES = [
    dict(
        code="tahunan",
        name_id="Cuti Tahunan",
        name_en="Annual leave",
        sort_order=10,
        unit="working_days",
        uses_ledger=True,
        yearly_entitlement=12,
        min_service_years=1,
        min_per_request=1,
        eligible_employment_types=ALL,
        deferrable=True,
        carry_over_max=18,
        carry_over_extended_max=24,
        carry_over_extended_after_years=2,
        deferral_max=24,
        description="12 hari kerja setahun setelah 1 tahun masa kerja; sisa dibawa paling banyak sampai total 18 hari "
        "(24 hari bila 2 tahun sebelumnya tidak mengambil cuti tahunan); penangguhan paling lama 1 tahun, total 24 hari.",
    ),
    dict(
        code="besar",
        name_id="Cuti Besar",
        name_en="Long leave",
        sort_order=20,
        unit="months",
        min_service_years=5,
        max_per_request=3,
        eligible_employment_types=["PNS"],
        forfeits_annual_leave=True,
        document_rule="never",
        document_hint="jadwal keberangkatan haji bila untuk ibadah haji",
        description="Paling lama 3 bulan setelah 5 tahun masa kerja terus-menerus; hak cuti tahunan tahun berjalan "
        "hapus. Syarat 5 tahun tidak berlaku untuk ibadah haji pertama (diputuskan HR).",
    ),
    dict(
        code="sakit",
        name_id="Cuti Sakit",
        name_en="Sick leave",
        sort_order=30,
        unit="calendar_days",
        max_per_request=365,
        eligible_employment_types=ALL,
        document_rule="over_threshold",
        document_threshold_days=1,
        document_hint="surat keterangan dokter",
        description="1 hari dengan surat keterangan dokter; lebih dari 1 hari dengan permintaan tertulis dan surat "
        "dokter; paling lama 1 tahun, dapat ditambah 6 bulan berdasarkan tim penguji kesehatan.",
    ),
    dict(
        code="melahirkan",
        name_id="Cuti Melahirkan",
        name_en="Maternity leave",
        sort_order=40,
        unit="months",
        max_per_request=3,
        eligible_employment_types=ALL,
        gender="F",
        document_rule="always",
        document_hint="surat keterangan dokter atau bidan",
        description="Kelahiran anak pertama sampai ketiga: 3 bulan; anak keempat dan seterusnya diberikan cuti besar.",
    ),
    dict(
        code="alasan-penting",
        name_id="Cuti Karena Alasan Penting",
        name_en="Leave for important reasons",
        sort_order=50,
        unit="calendar_days",
        max_per_request=30,
        eligible_employment_types=["PNS", "CPNS"],
        document_rule="always",
        document_hint="bukti alasan (mis. surat keterangan rawat inap, surat kematian, undangan pernikahan)",
        emergency_allowed=True,
        description="Keluarga inti sakit keras atau meninggal dunia, melangsungkan perkawinan, dan sejenisnya; paling "
        "lama 1 bulan. Dalam keadaan mendesak kepala kantor dapat memberi izin sementara lebih dahulu.",
    ),
    dict(
        code="bersama",
        name_id="Cuti Bersama",
        name_en="Collective leave",
        sort_order=60,
        unit="working_days",
        eligible_employment_types=ALL,
        requestable=False,
        description="Ditetapkan Keputusan Presiden; tidak mengurangi cuti tahunan (hari cuti bersama tercatat di "
        "kalender libur). Pegawai yang bertugas pada hari cuti bersama mendapat tambahan cuti tahunan (penyesuaian SDM).",
    ),
    dict(
        code="cltn",
        name_id="Cuti di Luar Tanggungan Negara",
        name_en="Unpaid leave (CLTN)",
        sort_order=70,
        unit="months",
        min_service_years=5,
        max_per_request=36,
        eligible_employment_types=["PNS"],
        document_rule="always",
        document_hint="bukti alasan pribadi yang mendesak",
        description="Setelah 5 tahun masa kerja; paling lama 3 tahun, dapat diperpanjang 1 tahun; diberhentikan dari "
        "jabatan; memerlukan persetujuan Kepala BKN.",
    ),
]


def seed(apps, schema_editor):
    from hr.leave.workdays import seed_calendar

    LeaveType = apps.get_model("leave", "LeaveType")
    for row in TYPES:
        if not LeaveType.objects.filter(code=row["code"]).exists():
            LeaveType.objects.create(**row)
    Holiday = apps.get_model("leave", "Holiday")
    HolidayCalendar = apps.get_model("leave", "HolidayCalendar")
    this_year = dt.date.today().year
    for year in range(this_year - 1, this_year + 2):
        seed_calendar(year, holiday_model=Holiday, calendar_model=HolidayCalendar)


class Migration(migrations.Migration):
    dependencies = [("leave", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
