"""Seed the component catalogue with the PNS payslip components (domain brief). Editable data afterwards."""

from django.db import migrations

COMPONENTS = [
    # code, Indonesian label, English label, kind, order
    ("gaji_pokok", "Gaji pokok", "Basic salary", "earning", 10),
    ("tunj_suami_istri", "Tunjangan suami/istri", "Spouse allowance", "earning", 20),
    ("tunj_anak", "Tunjangan anak", "Child allowance", "earning", 30),
    ("tunj_jabatan", "Tunjangan jabatan", "Position allowance", "earning", 40),
    ("tunj_umum", "Tunjangan umum", "General allowance", "earning", 50),
    ("tunj_beras", "Tunjangan beras", "Rice allowance", "earning", 60),
    ("tunj_kinerja", "Tunjangan kinerja", "Performance allowance", "earning", 70),
    ("pot_iwp", "Potongan IWP", "Civil servant contribution (IWP)", "deduction", 110),
    ("pot_bpjs", "Potongan BPJS Kesehatan", "Health insurance (BPJS)", "deduction", 120),
    ("pot_pph21", "Potongan PPh 21", "Income tax (PPh 21)", "deduction", 130),
    ("pot_lain", "Potongan lain-lain", "Other deductions", "deduction", 140),
]


def seed(apps, schema_editor):
    Component = apps.get_model("payslips", "Component")
    for code, label_id, label_en, kind, order in COMPONENTS:
        Component.objects.get_or_create(
            code=code, defaults={"label_id": label_id, "label_en": label_en, "kind": kind, "order": order}
        )


def unseed(apps, schema_editor):
    Component = apps.get_model("payslips", "Component")
    Component.objects.filter(code__in=[c[0] for c in COMPONENTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("payslips", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
