"""The group → role mapping: validation, seeding from settings, and the admin screens."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from intranet.accounts.ldap.config import get_config, normalize_dn
from intranet.accounts.ldap.mappings import active_mappings
from intranet.accounts.models import DirectoryGroupMapping
from intranet.accounts.roles import Role

pytestmark = pytest.mark.django_db


def test_scope_only_for_hr_and_payroll_roles(org):
    bad = DirectoryGroupMapping(group_dn="cn=x,dc=t", role=Role.EDITOR, scope_unit=org["DIR1"])
    with pytest.raises(ValidationError):
        bad.full_clean()
    good = DirectoryGroupMapping(group_dn="cn=x,dc=t", role=Role.PAYROLL_OFFICER, scope_unit=org["DIR1"])
    good.full_clean()
    assert good.scope_kind == "payroll"


def test_group_dn_is_normalised():
    m = DirectoryGroupMapping.objects.create(group_dn="CN=SDM, OU=Groups ,DC=Test", role=Role.HR_OFFICER)
    assert m.group_dn == "cn=sdm,ou=groups,dc=test" == normalize_dn("cn=SDM,ou=groups,dc=test")


def test_settings_seed_missing_rows_once_and_keep_admin_edits(settings, org):
    settings.LDAP_GROUP_ROLE_MAP = [
        {"group": "cn=sdm,dc=t", "role": "HR_OFFICER", "scope_unit": "DIR1"},
        {"group": "cn=redaksi,dc=t", "role": "Editors"},
        {"group": "cn=x,dc=t", "role": "NO_SUCH_ROLE"},
        {"group": "cn=y,dc=t", "role": "HR_OFFICER", "scope_unit": "NO-UNIT"},
    ]
    assert len(active_mappings(get_config())) == 2
    DirectoryGroupMapping.objects.filter(role=Role.EDITOR).update(active=False)  # an administrator switches it off
    mappings = active_mappings(get_config())
    assert [(m.role, m.scope_unit.code, m.scope_kind) for m in mappings] == [(Role.HR_OFFICER.value, "DIR1", "hr")]
    assert (
        DirectoryGroupMapping.objects.count() == 2
        and DirectoryGroupMapping.objects.filter(from_settings=True).count() == 2
    )


def test_admin_lists_and_adds_mappings(admin_client, org):
    url = reverse("admin:accounts_directorygroupmapping_changelist")
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        reverse("admin:accounts_directorygroupmapping_add"),
        {
            "group_dn": "cn=gaji,ou=groups,dc=t",
            "role": Role.PAYROLL_OFFICER.value,
            "scope_unit": org["DIR2"].pk,
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    m = DirectoryGroupMapping.objects.get()
    assert (m.scope_unit, m.scope_kind) == (org["DIR2"], "payroll")
    assert admin_client.get(reverse("admin:accounts_rolegrant_changelist")).status_code == 200
