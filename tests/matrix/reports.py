"""Matrix rows for audit packs: auditors, leads and admins request, watch and download them;
members and viewers get 403 (packs hold every record of the organisation)."""

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.access import AUDIT_READERS
from accounts.models import Role
from reports.models import AuditPack

from . import Row

PACK_ROLES = frozenset(AUDIT_READERS)


def _pack(w, **fields) -> AuditPack:
    return AuditPack.objects.create(organisation=w["org"], requested_by=w["users"][Role.ADMIN], **fields)


def _ready(w) -> AuditPack:
    pack = _pack(
        w, status=AuditPack.Status.DONE, stage=AuditPack.Stage.DONE, finished_at=timezone.now(), sha256="0" * 64
    )
    pack.file.save("ignored.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18))  # an empty zip
    return pack


def extend_world(world):
    world["pack_ready"] = _ready(world)
    world["pack_failed"] = _pack(world, status=AuditPack.Status.FAILED, message="The worker was lost.")


def grow(w, times: int = 4) -> None:
    for _ in range(times):
        _ready(w)
        _pack(w, status=AuditPack.Status.FAILED, message="The worker was lost.", ai_system=w["system"])


def pk(key):
    return lambda w: {"pk": w[key].pk}


ROWS = {
    "reports:pack_list": Row(allowed=PACK_ROLES),
    "reports:pack_create": Row(allowed=PACK_ROLES, method="post", ok=(302,), data=lambda w: {"ai_system": ""}),
    "reports:pack_status": Row(pk("pack_ready"), allowed=PACK_ROLES),
    "reports:pack_retry": Row(pk("pack_failed"), allowed=PACK_ROLES, method="post", ok=(302,)),
    "reports:pack_download": Row(pk("pack_ready"), allowed=PACK_ROLES),
}
