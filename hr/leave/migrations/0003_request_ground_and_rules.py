"""The ground a rule was set aside for (first hajj, fourth birth) on each request, and the corrected rules: a sick leave
of one day needs a doctor's note too; leave for important reasons is at most one calendar month; every type's summary
names its articles. A row HR has already edited (not as seeded) is left as it is."""

from django.db import migrations, models

SEEDED = {
    "sakit": "1 hari dengan surat keterangan dokter; lebih dari 1 hari dengan permintaan tertulis dan surat "
    "dokter; paling lama 1 tahun, dapat ditambah 6 bulan berdasarkan tim penguji kesehatan.",
    "alasan-penting": "Keluarga inti sakit keras atau meninggal dunia, melangsungkan perkawinan, dan sejenisnya; paling "
    "lama 1 bulan. Dalam keadaan mendesak kepala kantor dapat memberi izin sementara lebih dahulu.",
    "besar": "Paling lama 3 bulan setelah 5 tahun masa kerja terus-menerus; hak cuti tahunan tahun berjalan "
    "hapus. Syarat 5 tahun tidak berlaku untuk ibadah haji pertama (diputuskan HR).",
    "melahirkan": "Kelahiran anak pertama sampai ketiga: 3 bulan; anak keempat dan seterusnya diberikan cuti besar.",
    "bersama": "Ditetapkan Keputusan Presiden; tidak mengurangi cuti tahunan (hari cuti bersama tercatat di "
    "kalender libur). Pegawai yang bertugas pada hari cuti bersama mendapat tambahan cuti tahunan (penyesuaian SDM).",
    "cltn": "Setelah 5 tahun masa kerja; paling lama 3 tahun, dapat diperpanjang 1 tahun; diberhentikan dari "
    "jabatan; memerlukan persetujuan Kepala BKN.",
}

DESCRIPTIONS = {
    "sakit": "Setiap PNS yang sakit berhak atas cuti sakit; sakit 1 hari pun dengan surat keterangan dokter, lebih dari "
    "1 hari dengan permintaan tertulis dan surat dokter; paling lama 1 tahun, dapat ditambah 6 bulan berdasarkan tim "
    "penguji kesehatan (PP 11/2017 paragraf cuti sakit, Pasal 320 dst.; Perban BKN 24/2017 sebagaimana diubah Perban "
    "BKN 7/2021, lampiran cuti sakit). PPPK: paling lama 1 bulan (PP 49/2018, paragraf cuti sakit).",
    "alasan-penting": "Ibu, bapak, istri/suami, anak, adik, kakak, mertua atau menantu sakit keras atau meninggal dunia, "
    "melangsungkan perkawinan, musibah kebakaran atau bencana alam, dan alasan lain menurut PP 17/2020; paling lama 1 "
    "bulan kalender (PP 11/2017 paragraf cuti karena alasan penting, Pasal 328 dst., sebagaimana diubah PP 17/2020). "
    "Dalam keadaan mendesak pejabat tertinggi di unit kerja dapat memberi izin sementara lebih dahulu (Perban BKN "
    "24/2017). Tidak untuk PPPK: PP 49/2018 tidak mengenal jenis cuti ini (alasan keluarga bagi PPPK dengan masa kerja "
    "kurang dari 1 tahun diberikan sebagai cuti tahunan paling lama 6 hari kerja, PP 49/2018 Pasal 80).",
    "besar": "Paling lama 3 bulan setelah 5 tahun masa kerja terus-menerus; hak cuti tahunan tahun berjalan hapus "
    "(PP 11/2017 paragraf cuti besar, Pasal 315 dst.). Syarat 5 tahun tidak berlaku untuk ibadah haji pertama, dengan "
    "jadwal keberangkatan haji sebagai lampiran (PP 11/2017 Pasal 315; Perban BKN 24/2017), dan untuk kelahiran anak "
    "keempat dan seterusnya (PP 11/2017 Pasal 325 ayat (2)). Hanya untuk PNS; tidak untuk PPPK (PP 49/2018).",
    "melahirkan": "Kelahiran anak pertama sampai ketiga pada saat menjadi PNS: 3 bulan; anak keempat dan seterusnya "
    "diberikan cuti besar tanpa syarat 5 tahun masa kerja (PP 11/2017 Pasal 325). Kelahiran sebelum catatan sistem ini "
    "dicatat SDM pada data pegawai. PPPK: kelahiran pertama sampai ketiga pada saat menjadi PPPK (PP 49/2018).",
    "bersama": "Ditetapkan Keputusan Presiden; tidak mengurangi cuti tahunan (hari cuti bersama tercatat di kalender "
    "libur). Pegawai yang bertugas pada hari cuti bersama mendapat tambahan cuti tahunan (penyesuaian SDM). Berlaku "
    "juga bagi PPPK (PP 49/2018). (PP 11/2017 paragraf cuti bersama.)",
    "cltn": "Setelah 5 tahun masa kerja; paling lama 3 tahun, dapat diperpanjang 1 tahun; diberhentikan dari jabatan; "
    "memerlukan persetujuan Kepala BKN (PP 11/2017 paragraf CLTN). Hanya untuk PNS; tidak untuk PPPK (PP 49/2018).",
}


def forward(apps, schema_editor):
    LeaveType = apps.get_model("leave", "LeaveType")
    # A sick leave of one day needs a doctor's note too (Perban BKN 24/2017 as amended by Perban BKN 7/2021).
    LeaveType.objects.filter(code="sakit", document_rule="over_threshold", document_threshold_days=1).update(
        document_rule="always", document_threshold_days=0
    )
    # At most one month: a calendar month, so all of January (31 days) is allowed and 1 to 31 March too.
    LeaveType.objects.filter(code="alasan-penting", unit="calendar_days", max_per_request=30).update(
        unit="months", max_per_request=1
    )
    for code, text in DESCRIPTIONS.items():
        LeaveType.objects.filter(code=code, description=SEEDED[code]).update(description=text)


def backward(apps, schema_editor):
    LeaveType = apps.get_model("leave", "LeaveType")
    LeaveType.objects.filter(code="sakit", document_rule="always", document_threshold_days=0).update(
        document_rule="over_threshold", document_threshold_days=1
    )
    LeaveType.objects.filter(code="alasan-penting", unit="months", max_per_request=1).update(
        unit="calendar_days", max_per_request=30
    )
    for code, text in DESCRIPTIONS.items():
        LeaveType.objects.filter(code=code, description=text).update(description=SEEDED[code])


class Migration(migrations.Migration):
    dependencies = [("leave", "0002_seed_rules"), ("org", "0004_employee_prior_births")]

    operations = [
        migrations.AddField(
            model_name="leaverequest",
            name="ground",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "none"),
                    ("first_hajj", "first hajj (5-year service rule waived)"),
                    ("fourth_birth", "fourth or later birth (granted as long leave)"),
                ],
                default="",
                db_default="",
                max_length=16,
                verbose_name="ground",
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
