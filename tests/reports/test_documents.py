"""The shared document engine (reports/documents.py): the same tables in every format, every
page footer, no formula in a spreadsheet, a manifest that checks."""

import csv
import datetime as dt
import hashlib
import io
import zipfile

import docx
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from reports.documents import (
    MANIFEST,
    Document,
    Heading,
    KeyValues,
    PageBreak,
    Paragraph,
    Table,
    build_zip,
    render_csv,
    render_docx,
    render_pdf,
    render_xlsx,
)

HEAD = "ab12" * 16
ROWS = [["SEC-1", "Prompt injection ✓ résumé", 4], ["SEC-2", "Ünïcode “quotes”", -3]]
HOSTILE = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


def sample() -> Document:
    table = Table(
        "controls",
        "Controls — Sicherheit",
        ["Ref", "Title", "Score"],
        [*ROWS, *[[h, h, None] for h in HOSTILE]],
        widths=[1, 3, 1],
    )
    return Document(
        title="Audit pack — Ünïcode",
        blocks=[
            Heading("Summary"),
            Paragraph("Readiness → 93 % in both domains"),
            KeyValues([("Organisation", "Acme"), ("Date", dt.date(2026, 11, 3))]),
            table,
            PageBreak(),
            Table("empty", "Nothing here", ["A"], [], empty="No rows."),
        ],
        version="7",
        head_hash=HEAD,
        date=dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC),
    )


def flat(text: str) -> str:
    return "".join(text.split())


def test_pdf_holds_unicode_text_and_a_footer_on_every_page():
    reader = PdfReader(io.BytesIO(render_pdf(sample())))
    assert len(reader.pages) == 2
    first = reader.pages[0].extract_text()
    for expected in ["Audit pack — Ünïcode", "Controls — Sicherheit", "Prompt injection ✓ résumé"]:
        assert expected in first
    assert "No rows." in reader.pages[1].extract_text()
    for page in reader.pages:
        assert flat(f"2026-11-30 08:00 UTC · version 7 · audit trail head {HEAD}") in flat(page.extract_text())


def test_landscape_turns_the_pages_across():
    wide = sample()
    wide.landscape = True
    page = PdfReader(io.BytesIO(render_pdf(wide))).pages[0]
    assert page.mediabox.width > page.mediabox.height
    section = docx.Document(io.BytesIO(render_docx(wide))).sections[0]
    assert section.page_width > section.page_height


def test_hidden_characters_show_in_the_pdf_and_docx_and_stay_exact_in_spreadsheets():
    smuggled = "Approve\u200b all"
    doc = Document("Hidden", [Table("notes", "Notes", ["Note"], [[smuggled]])])
    marker = "U+200B"
    assert marker in PdfReader(io.BytesIO(render_pdf(doc))).pages[0].extract_text()
    assert marker in docx.Document(io.BytesIO(render_docx(doc))).tables[0].rows[1].cells[0].text
    assert load_workbook(io.BytesIO(render_xlsx(doc.tables)))["notes"]["A2"].value == smuggled
    assert smuggled in render_csv(doc.tables[0]).decode("utf-8-sig")


def test_docx_holds_the_tables_and_the_footer():
    document = docx.Document(io.BytesIO(render_docx(sample())))
    assert document.sections[0].footer.paragraphs[0].text.endswith(f"version 7 · audit trail head {HEAD}")
    cells = [[c.text for c in row.cells] for row in document.tables[0].rows]
    assert cells[:3] == [["Ref", "Title", "Score"], *[[a, b, str(n)] for a, b, n in ROWS]]
    assert "No rows." in [p.text for p in document.paragraphs]


def test_xlsx_has_a_sheet_per_table_and_never_a_formula():
    workbook = load_workbook(io.BytesIO(render_xlsx(sample().tables)))
    assert workbook.sheetnames == ["controls", "empty"]
    sheet = workbook["controls"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[:3] == [["Ref", "Title", "Score"], *ROWS]
    assert [r[0] for r in rows[3:]] == HOSTILE  # stored unchanged …
    assert all(sheet.cell(row=i, column=1).data_type == "s" for i in range(4, 4 + len(HOSTILE)))  # … as text
    assert [[c.value for c in row] for row in workbook["empty"].iter_rows()] == [["A"]]


def test_csv_quotes_formula_starts_and_keeps_numbers():
    rows = list(csv.reader(io.StringIO(render_csv(sample().tables[0]).decode("utf-8-sig"))))
    assert rows[:3] == [["Ref", "Title", "Score"], *[[a, b, str(n)] for a, b, n in ROWS]]
    assert [r[0] for r in rows[3:]] == ["'" + h for h in HOSTILE]


def test_zip_manifest_lists_every_file_with_its_hash_and_is_reproducible():
    files = {"pack.pdf": b"%PDF", "csv/controls.csv": b"a,b\r\n"}
    data = build_zip(files)
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert sorted(archive.namelist()) == sorted([*files, MANIFEST])
    lines = archive.read(MANIFEST).decode().splitlines()
    assert lines == [f"{hashlib.sha256(files[n]).hexdigest()}  {n}" for n in sorted(files)]
    assert build_zip(files) == data


@pytest.mark.parametrize("name", ["../evil", "/abs", MANIFEST])
def test_zip_refuses_unsafe_names(name):
    with pytest.raises(ValueError):
        build_zip({name: b""})


@pytest.mark.parametrize("name", ["", "has space", "x" * 32, "a/b"])
def test_table_names_must_fit_a_sheet_and_a_file(name):
    with pytest.raises(ValueError):
        Table(name, "t", ["a"], [])
