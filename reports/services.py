"""Audit packs: request one, build it (the Celery task's work), record its downloads."""

from __future__ import annotations

import hashlib
import logging

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.access import AUDIT_READERS, ensure, membership_of
from accounts.models import Organisation
from audit.services import record
from core import jobs
from governance.models import AISystem

from . import documents
from .models import AuditPack, pack_path

logger = logging.getLogger("bastion.reports")

PDF_NAME = "audit-pack.pdf"
XLSX_NAME = "audit-pack.xlsx"


def _scope_state(pack: AuditPack) -> dict:
    return {"scope": pack.scope_label, "ai_system": pack.ai_system_id}


def pack_request(*, actor, organisation: Organisation, ai_system: AISystem | None = None) -> AuditPack:
    """Queue an audit pack of the organisation or one of its systems (auditors, leads, admins).
    One pack is built at a time per organisation, enforced by the database: ValidationError
    while another is queued or building."""
    if ai_system is not None and ai_system.organisation_id != organisation.pk:
        raise ValidationError(_("This AI system belongs to another organisation."))
    with transaction.atomic():
        probe = AuditPack(organisation=organisation)
        ensure(membership_of(actor, probe).role in AUDIT_READERS, _("Auditors, leads and admins request audit packs."))
        pack, created = jobs.create_or_active(
            AuditPack,
            active=AuditPack.objects.filter(organisation=organisation),
            organisation=organisation,
            ai_system=ai_system,
            requested_by=actor,
        )
        if not created:
            raise ValidationError(_("An audit pack is being built; wait for it to finish."))
        record(
            organisation=organisation, actor=actor, action="reports.pack.requested", obj=pack, after=_scope_state(pack)
        )
    return pack


def pack_retry(*, actor, pack: AuditPack) -> AuditPack:
    """A new request with the scope of a failed pack (the failed one stays listed with its reason)."""
    if pack.status != AuditPack.Status.FAILED:
        raise ValidationError(_("Only a failed pack is retried."))
    return pack_request(actor=actor, organisation=pack.organisation, ai_system=pack.ai_system)


def pack_files(document: documents.Document, progress=lambda stage: None) -> dict[str, bytes]:
    """The pack's files from one document: the PDF, the workbook and a CSV per table."""
    progress(AuditPack.Stage.PDF)
    files = {PDF_NAME: documents.render_pdf(document)}
    progress(AuditPack.Stage.WORKBOOK)
    files[XLSX_NAME] = documents.render_xlsx(document.tables)
    progress(AuditPack.Stage.CSV)
    for table in document.tables:
        files[f"csv/{table.name}.csv"] = documents.render_csv(table)
    return files


def pack_build(pack_id: int) -> None:
    """Claim the pack under a lease (core/jobs.py), read the records, render, zip and store.

    A build is one piece of work: a worker killed mid-build leaves no finished pack, and the
    attempt that takes over starts again and writes the same file name (the job's token). Only
    the claim that still holds the lease finishes the job, and its `reports.pack.built` event is
    written in the same transaction, so a redelivered task never yields a second pack.
    Does nothing for a finished pack or one another worker holds."""
    from .pack import pack_document

    job = jobs.claim(AuditPack, pack_id)
    if job is None:
        return
    pack = AuditPack.objects.select_related("organisation", "ai_system", "requested_by").get(pk=job.pk)
    pack.attempts = job.attempts  # the fencing token of our claim

    def progress(stage: int) -> None:
        jobs.heartbeat(pack, stage=stage)

    with jobs.working(pack):
        progress(AuditPack.Stage.READING)
        document, chain = pack_document(pack)
        data = documents.build_zip(pack_files(document, progress))
        progress(AuditPack.Stage.PACKING)
        name = pack_path(pack, "")
        default_storage.delete(name)  # a killed attempt's file, if any: the name is ours
        stored = default_storage.save(name, ContentFile(data))
        digest = hashlib.sha256(data).hexdigest()
        with transaction.atomic():
            finished = jobs.finish(
                pack,
                status=AuditPack.Status.DONE,
                stage=AuditPack.Stage.DONE,
                file=stored,
                sha256=digest,
                size=len(data),
                head_hash=document.head_hash,
                chain_intact=chain.ok,
                message="",
            )
            if finished:
                record(
                    organisation=pack.organisation,
                    actor=pack.requested_by,
                    action="reports.pack.built",
                    obj=pack,
                    after={**_scope_state(pack), "sha256": digest, "size": len(data), "head": document.head_hash},
                )
        if not finished:
            logger.warning("audit pack %s was taken over before it finished; left to the new holder", pack.pk)


def pack_downloaded(*, actor, pack: AuditPack) -> None:
    """Every download of a pack is an event of the audit trail."""
    with transaction.atomic():
        record(
            organisation=pack.organisation,
            actor=actor,
            action="reports.pack.downloaded",
            obj=pack,
            after={**_scope_state(pack), "sha256": pack.sha256},
        )
