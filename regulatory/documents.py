"""The regulatory documents as neutral `reports.documents.Document`s, rendered to PDF, DOCX and
XLSX by the shared engine. Every page footer carries the date, the document's version and the head
hash of the organisation's audit trail at the time of the export."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import ChainHead
from reports.documents import Document, Heading, KeyValues, Paragraph, Table

from .annex_iv import TechnicalFileDraft
from .models import FundamentalRightsAssessment
from .soa import Statement


def head_hash(org) -> str:
    head = ChainHead.objects.filter(organisation=org).first()
    return head.hash if head else ""


def technical_file_document(draft: TechnicalFileDraft) -> Document:
    system = draft.system
    blocks: list = [
        KeyValues(
            [
                (_("AI system"), system.name),
                (_("Provider"), system.organisation.name),
                (_("EU AI Act tier"), system.get_eu_ai_act_tier_display()),
                (_("Our role"), system.get_operator_role_display()),
                (_("Status"), _("Draft generated from Bastion's records")),
            ]
        ),
    ]
    for section in draft.sections:
        blocks.append(Heading(f"{section.point}. {section.title} (Annex IV, point {section.point})"))
        blocks.append(Paragraph(section.prompt))
        if section.entries:
            blocks.append(KeyValues(section.entries))
        for missing in section.missing:
            blocks.append(Paragraph(_("Missing: %(label)s (enter it in: %(where)s)") % vars(missing)))
    blocks.append(
        Table(
            name="missing",
            title=_("Missing information"),
            columns=[_("Annex IV point"), _("What is missing"), _("Where it is entered")],
            rows=[[s.point, m.label, m.where] for s in draft.sections for m in s.missing],
            widths=[1, 4, 3],
            empty=_("Nothing: every section has its sources."),
        )
    )
    return Document(
        title=_("Technical documentation (draft) — %(name)s") % {"name": system.name},
        blocks=blocks,
        version=draft.version,
        head_hash=head_hash(system.organisation),
        date=timezone.now(),
        author=system.organisation.name,
    )


def fria_label(name: str) -> str:
    field: Any = FundamentalRightsAssessment._meta.get_field(name)  # a concrete text field
    return str(field.verbose_name).capitalize()


def fria_document(fria: FundamentalRightsAssessment) -> Document:
    blocks: list = [
        KeyValues(
            [
                (_("AI system"), fria.ai_system.name),
                (_("Deployer"), fria.organisation.name),
                (_("Status"), fria.get_status_display()),
                (_("Author"), fria.author.username),
                (_("Approved by"), fria.approved_by.username if fria.approved_by else ""),
                (_("Approved on"), fria.approved_at.date() if fria.approved_at else None),
                (_("Next review due"), fria.next_review_due),
            ]
        )
    ]
    for name in FundamentalRightsAssessment.TEXT_FIELDS:
        blocks.append(Heading(fria_label(name)))
        blocks.append(Paragraph(getattr(fria, name) or _("(not answered)")))
    return Document(
        title=fria.title,
        blocks=blocks,
        version=f"v{fria.record_version} ({fria.get_status_display().lower()})",
        head_hash=head_hash(fria.organisation),
        date=timezone.now(),
        author=fria.organisation.name,
    )


def soa_table(statement: Statement) -> Table:
    rows = []
    for row in statement.rows:
        decision = row.decision
        rows.append(
            [
                row.item.ref,
                row.item.title,
                decision.get_applicability_display() if decision else _("Not decided"),
                decision.justification if decision else "",
                str(row.status_label),
                f"{row.verified}/{row.mapped}",
                "; ".join(f"{e.system} {e.control}: {e.label}" for e in row.evidence),
            ]
        )
    return Table(
        name="statement",
        title=str(statement.spec.label),
        columns=[
            str(statement.spec.item_label),
            _("Label"),
            _("Applicability"),
            _("Justification"),
            _("Implementation"),
            _("Verified / mapped"),
            _("Evidence"),
        ],
        rows=rows,
        widths=[2, 5, 2, 5, 2, 2, 5],
    )


def soa_document(org, statement: Statement) -> Document:
    counts = statement.counts()
    return Document(
        title=_("Statement of Applicability — %(framework)s") % {"framework": statement.spec.label},
        blocks=[
            KeyValues(
                [
                    (_("Organisation"), org.name),
                    (_("Framework"), statement.framework.name if statement.framework else ""),
                    (_("Included"), counts["included"]),
                    (_("Excluded"), counts["excluded"]),
                    (_("Not decided"), counts["open"]),
                    (_("Implemented"), counts["implemented"]),
                    (_("Partly"), counts["partly"]),
                    (_("Not yet"), counts["not_yet"]),
                ]
            ),
            Paragraph(
                _(
                    "Implementation is derived from the Bastion controls mapped to each item across the "
                    "organisation's systems: implemented when every mapped control is verified, partly when some "
                    "are verified or implemented, not yet otherwise."
                )
            ),
            soa_table(statement),
        ],
        version=f"v{statement.version}",
        head_hash=head_hash(org),
        date=timezone.now(),
        author=org.name,
    )
