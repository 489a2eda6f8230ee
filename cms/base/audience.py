"""Audience targeting (relevance) shared by news, training and policies.

A targeted page is meant for everyone, or for selected org units (with or without their sub-units) and/or roles.
Targeting decides what shows up in a reader's lists and dashboard; it is NOT privacy — who may open a page at all is
decided by Wagtail view restrictions (see `cms.base.privacy`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django import forms
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, MultiFieldPanel

from hr.org.selectors import employee_for_user
from intranet.accounts.models import User
from intranet.accounts.roles import role_names

STEPLEN = 4  # treebeard MP path step of hr.org.OrgUnit


class UnitTreeCheckboxes(forms.CheckboxSelectMultiple):
    """The unit list as a tree: units in tree order, each indented under its parent, so that an editor picks a
    directorate knowing what lies under it (its sub-units are included when "include sub-units" is ticked)."""

    def optgroups(self, name, value, attrs=None):
        def path(group):
            unit = getattr(group[1][0]["value"], "instance", None) if group[1] else None
            return unit.path if unit is not None else ""

        groups = sorted(super().optgroups(name, value, attrs), key=path)
        for index, (_group, options, _old) in enumerate(groups):
            for option in options:
                option["index"] = str(index)  # ids follow the new order
                unit = getattr(option["value"], "instance", None)
                if unit is not None:
                    option["label"] = "\u2003" * (unit.depth - 1) + str(option["label"])
                    option["attrs"]["id"] = f"{attrs.get('id', name) if attrs else name}_{index}"
        return groups


class AudienceMixin(models.Model):
    audience_everyone = models.BooleanField(
        _("for everyone"), default=True, help_text=_("Untick to target selected units and/or roles only.")
    )
    audience_units = ParentalManyToManyField(
        "org.OrgUnit", verbose_name=_("target units"), blank=True, related_name="+"
    )
    audience_include_subunits = models.BooleanField(_("include sub-units"), default=True)
    audience_roles = ParentalManyToManyField("auth.Group", verbose_name=_("target roles"), blank=True, related_name="+")

    # On the content tab, next to what the page says: who it is for is part of writing it.
    audience_panels = [
        MultiFieldPanel(
            [
                FieldPanel("audience_everyone"),
                FieldPanel("audience_units", widget=UnitTreeCheckboxes),
                FieldPanel("audience_include_subunits"),
                FieldPanel("audience_roles", widget=forms.CheckboxSelectMultiple),
            ],
            heading=_("Audience"),
            help_text=_(
                "Who sees this page in their lists and on their dashboard. Audience is not access control: anyone "
                "signed in who has the link can still open the page. To restrict who may open it, set its privacy "
                "(the eye icon in the page header, or Settings → Privacy)."
            ),
        )
    ]

    class Meta:
        abstract = True

    def audience_label(self) -> str:
        if self.audience_everyone:
            return str(_("Everyone"))
        names = [u.name for u in self.audience_units.all()] + [str(g.name) for g in self.audience_roles.all()]
        return ", ".join(names)


@dataclass(frozen=True)
class Viewer:
    """What targeting needs to know about a reader: unit path and role names."""

    user_id: int | None
    unit_id: int | None
    unit_path: str
    roles: frozenset[str]
    is_superuser: bool

    @property
    def ancestor_paths(self) -> list[str]:
        p = self.unit_path
        return [p[:i] for i in range(STEPLEN, len(p), STEPLEN)]

    @property
    def key(self) -> str:
        """A short key shared by every reader with the same audience profile (for fragment caches)."""
        raw = f"{self.unit_path}|{','.join(sorted(self.roles))}|{int(self.is_superuser)}"
        return hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()[:16]


def viewer_for(user) -> Viewer:
    cached = getattr(user, "_serambi_viewer", None)
    if cached is not None:
        return cached
    unit_id, unit_path = None, ""
    if user.is_authenticated:
        # the same memoised row the HR panels use (unit selected with it): no query of its own
        employee = employee_for_user(user)
        if employee is not None and employee.active and employee.unit_id:
            unit_id, unit_path = employee.unit_id, employee.unit.path
    viewer = Viewer(
        user_id=user.pk if user.is_authenticated else None,
        unit_id=unit_id,
        unit_path=unit_path or "",
        roles=role_names(user),
        is_superuser=bool(getattr(user, "is_superuser", False)),
    )
    if user.is_authenticated:
        user._serambi_viewer = viewer
    return viewer


def _through(model, name):
    field = model._meta.get_field(name)
    through = field.remote_field.through
    return through, field.m2m_field_name(), field.m2m_reverse_field_name()


def audience_q(model, user, outer: str = "pk") -> Q:
    """Q over `model` (an AudienceMixin page model) matching pages targeted at `user`. No query is run here
    beyond the memoised viewer profile; the Exists subqueries go into the caller's single query."""
    viewer = viewer_for(user)
    q = Q(audience_everyone=True)
    units, src, tgt = _through(model, "audience_units")
    if viewer.unit_id:
        q |= Exists(units.objects.filter(**{src: OuterRef(outer), tgt: viewer.unit_id}))
        if viewer.ancestor_paths:
            q |= Q(audience_include_subunits=True) & Exists(
                units.objects.filter(**{src: OuterRef(outer), f"{tgt}__path__in": viewer.ancestor_paths})
            )
    if viewer.roles:
        roles, rsrc, rtgt = _through(model, "audience_roles")
        q |= Exists(roles.objects.filter(**{rsrc: OuterRef(outer), f"{rtgt}__name__in": sorted(viewer.roles)}))
    return q


def is_targeted(page, user) -> bool:
    return type(page).objects.filter(pk=page.pk).filter(audience_q(type(page), user)).exists()


def audience_users(page):
    """Active user accounts in the page's target audience (for reach and mandatory assignments)."""
    base = User.objects.filter(is_active=True, employee__active=True)
    if page.audience_everyone:
        return base
    q = Q(pk__in=[])
    include = page.audience_include_subunits
    for unit in page.audience_units.all():
        q |= Q(employee__unit__path__startswith=unit.path) if include else Q(employee__unit_id=unit.pk)
    group_ids = [g.pk for g in page.audience_roles.all()]
    if group_ids:
        q |= Q(groups__in=group_ids)
    return base.filter(pk__in=User.objects.filter(q).values("pk"))
