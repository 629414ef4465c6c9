"""Demo audit pack: one organisation-wide pack requested by the demo auditor and built at once
(as its worker would), so the Audit packs page has a zip to download. Skipped when the
organisation already has a pack (idempotent)."""

from __future__ import annotations

from core.demo import DemoContext

from . import services
from .models import AuditPack


def seed(ctx: DemoContext) -> None:
    if AuditPack.objects.filter(organisation=ctx.org).exists():
        ctx.log("  audit packs: already present")
        return
    pack = services.pack_request(actor=ctx.users["auditor"], organisation=ctx.org)
    services.pack_build(pack.pk)  # a no-op if the queued task (eager in the demo) built it already
    pack.refresh_from_db()
    ctx.log(f"  audit packs: #{pack.pk} of the whole organisation ({pack.get_status_display().lower()})")
