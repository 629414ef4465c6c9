"""The documents parse as what they claim to be, with the date, version and audit-trail head on
every page footer: PDF (pypdf text), DOCX (python-docx paragraphs), XLSX (openpyxl cells)."""

import io

import docx
import pytest
from django.db import transaction
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from audit.models import ChainHead
from audit.services import record
from regulatory.workflow import FRIA
from tests.factories import FrameworkFactory, FrameworkItemFactory
from tests.regulatory.factories import FRIAFactory, SoADecisionFactory


def _pdf_pages(content: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages]


def _docx(content: bytes):
    document = docx.Document(io.BytesIO(content))
    return [p.text for p in document.paragraphs], [s.footer.paragraphs[0].text for s in document.sections]


def _head(org) -> str:
    return ChainHead.objects.get(organisation=org).hash


@pytest.fixture(autouse=True)
def chain(org, admin):
    """The organisation's audit trail has a head to print (factories write no events)."""
    with transaction.atomic():
        record(organisation=org, actor=admin, action="test.started", obj=org)


@pytest.fixture
def url(high_risk):
    return lambda fmt: reverse(
        "regulatory:technical_file_export", args=[high_risk.organisation.slug, high_risk.pk, fmt]
    )


def test_the_technical_file_pdf_has_every_section_and_footers(client_for, lead, complete_file, high_risk, url):
    response = client_for(lead).get(url("pdf"))
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    pages = _pdf_pages(response.content)
    text = " ".join(pages)
    for point in range(1, 10):
        assert f"(Annex IV, point {point})" in text
    assert "Names removed before ranking." in text and "Screener 8B" in text
    head = _head(high_risk.organisation)
    for page in pages:
        assert f"audit trail head {head}" in page
        assert "version profile v1 · statements v1" in page


def test_the_technical_file_docx_lists_the_missing_information(client_for, lead, high_risk, url):
    response = client_for(lead).get(url("docx"))
    paragraphs, footers = _docx(response.content)
    assert "Missing: Intended purpose (enter it in: Assessment questionnaire)" in paragraphs
    assert any(p.startswith("9. Performance after release") for p in paragraphs)
    assert footers and all("version profile v1 · statements v0" in f for f in footers)


def test_the_fria_exports_carry_its_version_and_answers(client_for, lead, high_risk):
    fria = FRIAFactory(ai_system=high_risk, author=lead)
    fria = FRIA.take(actor=lead, record=fria, name="submit", expected_version=fria.version)
    org = high_risk.organisation
    pdf = client_for(lead).get(reverse("regulatory:fria_export", args=[org.slug, fria.pk, "pdf"]))
    pages = _pdf_pages(pdf.content)
    assert "Unfair ranking of one group." in " ".join(pages)
    assert all(f"version v1 (in review) · audit trail head {_head(org)}" in page for page in pages)
    paragraphs, footers = _docx(
        client_for(lead).get(reverse("regulatory:fria_export", args=[org.slug, fria.pk, "docx"])).content
    )
    assert "Complaints" in paragraphs and "Applicants write to the recruiting team." in paragraphs
    assert all("version v1 (in review)" in f for f in footers)


def test_the_soa_exports_as_xlsx_and_pdf(client_for, lead, org, admin):
    iso = FrameworkFactory(key="iso-42001-2023", name="ISO/IEC 42001")
    a = FrameworkItemFactory(framework=iso, ref="A.2.2", kind="control", title="Written AI rules")
    FrameworkItemFactory(framework=iso, ref="A.2.3", kind="control")
    SoADecisionFactory(organisation=org, item=a, decided_by=admin, applicability="excluded", justification="=SUM(A1)")
    base = reverse("regulatory:soa_export", args=[org.slug, "xlsx"])
    sheet = load_workbook(io.BytesIO(client_for(lead).get(base + "?framework=iso-42001").content))["statement"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:5] == ["Annex A control", "Label", "Applicability", "Justification", "Implementation"]
    assert rows[1][:5] == ["A.2.2", "Written AI rules", "Excluded", "=SUM(A1)", "Not yet"]
    assert sheet["D2"].data_type == "s"  # a justification is never a formula
    assert rows[2][0] == "A.2.3" and rows[2][2] == "Not decided"
    pages = _pdf_pages(client_for(lead).get(reverse("regulatory:soa_export", args=[org.slug, "pdf"])).content)
    assert "A.2.2" in pages[0] and "Excluded" in " ".join(pages)
    assert all(f"version v1 · audit trail head {_head(org)}" in page for page in pages)


def test_an_unknown_format_is_404(client_for, lead, high_risk, url):
    assert client_for(lead).get(url("exe")).status_code == 404
