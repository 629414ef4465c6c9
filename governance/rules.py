"""Who may change AI systems and the organisation's own library: object rules next to the models.

Tenant resolution and role checks stay in `accounts.access`.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import Http404, HttpRequest

from accounts.access import AUDIT_READERS, get_membership, lead_or_member_of
from accounts.models import Membership, Role

from .models import AISystem, Control, Framework


def can_create_system(membership: Membership) -> bool:
    return membership.can_edit


def can_edit_system(membership: Membership, system: AISystem) -> bool:
    """Leads and admins edit every system; members edit systems their team owns."""
    return system.retired_at is None and lead_or_member_of(membership, system.owner_team_id)


def can_retire_system(membership: Membership, system: AISystem) -> bool:
    return system.retired_at is None and membership.is_lead


def can_edit_library(membership: Membership) -> bool:
    """Leads and admins add, edit, retire and import the organisation's own controls and frameworks."""
    return membership.is_lead


def can_edit_library_entry(membership: Membership, entry: Control | Framework) -> bool:
    """Own, active entries only: built-in content changes with a library release, never by hand."""
    return can_edit_library(membership) and entry.organisation_id is not None and entry.retired_at is None


def can_export_library(membership: Membership) -> bool:
    return membership.role in AUDIT_READERS


def get_library_object_for_user(
    request: HttpRequest, org_slug: str, queryset: models.QuerySet, pk: Any, *, min_role: str = Role.VIEWER
) -> tuple[Membership, Any]:
    """Fetch a library row the organisation can see: a built-in one (no organisation) or its own.

    Another organisation's own controls and frameworks are 404, like any foreign object.
    """
    membership = get_membership(request, org_slug, min_role=min_role)
    visible = models.Q(organisation__isnull=True) | models.Q(organisation=membership.organisation)
    try:
        obj = queryset.filter(visible).get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, OverflowError):
        raise Http404("No such library entry") from None
    return membership, obj
