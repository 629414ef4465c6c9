import io

import docx
import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_hiring_screener_technical_file_downloads_as_pdf_and_docx(page, demo):
    sign_in(page, "auditor", to="/o/acme/systems/")
    page.get_by_role("link", name="Hiring Screener").click()
    page.locator("#main").get_by_role("link", name="Regulatory", exact=True).click()
    page.get_by_role("link", name="Open the technical file").click()
    # Web-first assertions wait for the new page; an immediate count() could still see the old one.
    expect(page.locator("li[data-missing='declaration_of_conformity']")).to_be_visible()
    expect(page.locator("#missing-list li")).not_to_have_count(0)

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Download PDF").click()
    assert pdf_download.value.suggested_filename == "technical-file-hiring-screener.pdf"
    reader = PdfReader(io.BytesIO(open(pdf_download.value.path(), "rb").read()))  # noqa: SIM115
    text = " ".join(p.extract_text() for p in reader.pages)
    assert "Hiring Screener" in text and "Annex IV, point 9" in text

    with page.expect_download() as docx_download:
        page.get_by_role("link", name="Download DOCX").click()
    assert docx_download.value.suggested_filename == "technical-file-hiring-screener.docx"
    paragraphs = [p.text for p in docx.Document(docx_download.value.path()).paragraphs]
    assert any(p.startswith("Missing: Declaration of conformity") for p in paragraphs)
    assert page.console_errors == []
