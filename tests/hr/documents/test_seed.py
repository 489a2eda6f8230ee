import io

import pytest
from django.core.management import call_command

from hr.documents import selectors
from hr.documents.models import Classification, Document
from intranet.accounts.models import User
from intranet.core.private_files import private_storage


@pytest.mark.django_db
def test_seed_has_every_classification_and_is_idempotent():
    out = io.StringIO()
    args = ["seed_demo", "--staging", "--employees", "40", "--only", "hr.org", "hr.documents", "--scale", "documents=120"]
    call_command(*args, stdout=out)
    unit_classes = set(Document.objects.filter(owner_unit__isnull=False).values_list("classification", flat=True))
    personnel_classes = set(
        Document.objects.filter(subject_employee__isnull=False).values_list("classification", flat=True)
    )
    assert unit_classes == set(Classification.values)
    assert {Classification.TERBATAS, Classification.RAHASIA} <= personnel_classes
    assert not Document.objects.filter(current_version__isnull=True).exists()
    sample = Document.objects.select_related("current_version").first()
    assert private_storage().open(sample.current_version.storage_name).read().startswith(b"%PDF-")

    pegawai = User.objects.get(username="pegawai")
    mine = list(selectors.my_personnel_file(pegawai))
    assert len(mine) >= 4 and all(d.classification == Classification.TERBATAS for d in mine)
    secret = Document.objects.get(title="Laporan Investigasi Khusus")
    assert selectors.can_view(User.objects.get(username="pejabat"), secret)
    assert not selectors.can_view(pegawai, secret)

    total = Document.objects.count()
    call_command(*args, stdout=io.StringIO())
    assert Document.objects.count() == total
