"""What audit packs add to the AI-system page (registered by `register_all`, from AppConfig.ready)."""

from __future__ import annotations

from accounts.access import AUDIT_READERS
from core import extensions
from core.extensions import Panel

from .models import AuditPack


def audit_pack_panel(system, membership) -> Panel | None:
    """For auditors, leads and admins: the system's latest pack and a button for a new one (one
    query). A live panel: a pack's status moves as its worker builds it, and the button's form
    holds the reader's CSRF token."""
    if membership.role not in AUDIT_READERS:
        return None
    latest = AuditPack.objects.filter(organisation=membership.organisation, ai_system=system).first()
    return Panel("reports/_system_panel.html", {"system": system, "latest": latest})


def register_all() -> None:
    extensions.register(extensions.SYSTEM_LIVE_PANELS, audit_pack_panel, order=90)
