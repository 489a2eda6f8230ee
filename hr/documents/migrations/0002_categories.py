"""Initial document categories (editable data in the admin afterwards)."""

from django.db import migrations

CATEGORIES = [
    # code, Indonesian, English, personnel, unit, employee may upload, order
    ("sk-cpns", "SK Pengangkatan CPNS", "CPNS appointment decree", True, False, False, 10),
    ("sk-pns", "SK Pengangkatan PNS", "PNS appointment decree", True, False, False, 20),
    ("sk-pangkat", "SK Kenaikan Pangkat", "Promotion in rank decree", True, False, False, 30),
    ("sk-jabatan", "SK Jabatan", "Position decree", True, False, False, 40),
    ("ijazah", "Ijazah", "Diploma", True, False, True, 50),
    ("transkrip", "Transkrip Nilai", "Academic transcript", True, False, True, 55),
    ("sertifikat", "Sertifikat", "Certificate", True, False, True, 60),
    ("skp", "SKP / Evaluasi Kinerja", "Performance evaluation (SKP)", True, False, False, 70),
    ("disiplin", "Keputusan Hukuman Disiplin", "Disciplinary decision", True, False, False, 80),
    ("data-keluarga", "Dokumen Keluarga (KK, Akta)", "Family documents (family card, certificates)", True, False, True, 90),
    ("surat-edaran", "Surat Edaran", "Circular letter", False, True, False, 110),
    ("sop", "SOP", "Standard operating procedure", False, True, False, 120),
    ("nota-dinas", "Nota Dinas", "Internal memorandum", False, True, False, 130),
    ("laporan", "Laporan", "Report", False, True, False, 140),
    ("lainnya", "Lainnya", "Other", True, True, False, 900),
]


def forwards(apps, schema_editor):
    Category = apps.get_model("documents", "Category")
    for code, name_id, name_en, personnel, unit, employee, order in CATEGORIES:
        Category.objects.get_or_create(
            code=code,
            defaults={
                "name_id": name_id,
                "name_en": name_en,
                "for_personnel_files": personnel,
                "for_unit_documents": unit,
                "employee_may_upload": employee,
                "sort_order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
