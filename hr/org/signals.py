"""The organisation generation: one version number for everything cached that depends on who is where — units,
positions, employees (unit, position, active), HR scopes and role groups. Bumped when any of them is written (and again when the write commits);
the directory sync bumps it once per run that changed something (its bulk writes send no signals). Caches keyed by it
(the directory, profiles, document lists) are retired at once; there are few such writes a day."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed

from intranet.accounts.roles import ORG_GENERATION_KEY
from intranet.core.backup import restored
from intranet.core.caching import bump_on_write

from .models import Delegation, Employee, HRScope, OrgUnit, Position

__all__ = ["ORG_GENERATION_KEY", "bump_org_generation"]

# Role groups too: a renamed or deleted group ends the roles read under it at once (m2m_changed covers membership).
bump_org_generation = bump_on_write(ORG_GENERATION_KEY, OrgUnit, Position, Employee, HRScope, Delegation, Group)
m2m_changed.connect(
    bump_org_generation, sender=get_user_model().groups.through, dispatch_uid="org-generation-user-groups"
)
restored.connect(bump_org_generation, dispatch_uid="org-generation-restored")  # a restore replaced who is where
