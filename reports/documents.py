"""A small document engine shared by the apps that export documents (audit packs, regulatory
documents): build a neutral `Document` once, render it to PDF, DOCX, XLSX and CSV, zip the files
with a manifest.

- `Document(title=…, blocks=[…], version=…, head_hash=…, landscape=False)`: blocks are `Heading`, `Paragraph`,
  `KeyValues`, `Table` and `PageBreak`. Every PDF and DOCX page footer carries the date, the
  document version and the audit trail's head hash, so a printed page says what it was built from.
- `render_pdf(doc)` / `render_docx(doc)` → bytes. The PDF embeds DejaVu Sans (reports/fonts, with
  its licence): fpdf2's built-in fonts cover latin-1 only, and stored text is any Unicode.
- `render_xlsx(tables)` → bytes, one sheet per `Table`; `render_csv(table)` → bytes (UTF-8 with
  a BOM, so spreadsheet programs read accents right).
- PDF and DOCX show each hidden character of stored text (zero-width, bidi, tag characters) as
  a visible description (`readable`); the spreadsheets keep the exact stored text.
- Both spreadsheet writers guard against formula injection: a text cell starting with `=`, `+`,
  `-`, `@`, a tab or a carriage return is never a formula. XLSX stores it as a text cell
  (unchanged); CSV has no cell types, so it gets a leading apostrophe (`csv_text`).
- `build_zip({name: bytes})` → bytes, with a `MANIFEST.sha256` (`sha256sum -c` format) listing
  every file.

Pure functions over plain data: nothing here reads the database, and the only project import
is `core.hidden_text` (standard library only), so any app may use the engine.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from core.hidden_text import has_hidden, scan

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVu"
MANIFEST = "MANIFEST.sha256"

Value = str | int | float | Decimal | dt.date | dt.datetime | bool | None

# Characters that make a spreadsheet program read a cell as a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1 = section, 2 = subsection, 3 = minor


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class KeyValues:
    """Label: value lines, e.g. a cover page's organisation, scope, date."""

    items: Sequence[tuple[str, Value]]


@dataclass(frozen=True)
class Table:
    """A table of the document, and a sheet of the workbook / a CSV file of the same data.

    `name` is the sheet name and CSV file stem (letters, digits, `_` and `-`; at most 31
    characters, Excel's limit); `title` is shown above it in the PDF and DOCX. `widths` are
    relative column widths for the PDF (default: equal)."""

    name: str
    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Value]]
    widths: Sequence[int] | None = None
    empty: str = "None."

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,31}", self.name):
            raise ValueError(f"table name {self.name!r}: 1-31 letters, digits, _ or -")
        if self.widths is not None and len(self.widths) != len(self.columns):
            raise ValueError(f"table {self.name}: {len(self.widths)} widths for {len(self.columns)} columns")


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Heading | Paragraph | KeyValues | Table | PageBreak


@dataclass
class Document:
    title: str
    blocks: list[Block] = field(default_factory=list)
    version: str = "1"
    head_hash: str = ""
    date: dt.datetime | dt.date | None = None
    footer_text: str = ""
    author: str = ""
    landscape: bool = False  # wide tables (many columns) read better across an A4 page

    def footer(self) -> str:
        """The line on every page: date, document version, audit trail head, extra text."""
        when = self.date or dt.datetime.now(dt.UTC)
        parts = [text(when), f"version {self.version}"]
        if self.head_hash:
            parts.append(f"audit trail head {self.head_hash}")
        if self.footer_text:
            parts.append(self.footer_text)
        return " · ".join(parts)

    @property
    def tables(self) -> list[Table]:
        return [block for block in self.blocks if isinstance(block, Table)]


def readable(value: Value) -> str:
    """`text(value)` with every hidden character (zero-width, bidi controls, tag characters…)
    replaced by a visible description, for the formats people read (PDF, DOCX): stored text
    must not hide anything from an auditor. The spreadsheets keep the exact stored text."""
    rendered = text(value)
    if not has_hidden(rendered):
        return rendered
    parts, last = [], 0
    for finding in scan(rendered, confusables=False):
        parts += [rendered[last : finding.offset], f"⟦{finding.describe()}⟧"]
        last = finding.offset + finding.length
    return "".join([*parts, rendered[last:]])


def text(value: Value) -> str:
    """How a value reads in a document: ISO dates, times in UTC, yes/no, empty for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value.strftime("%Y-%m-%d %H:%M")
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")  # as in the workbook
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# --- PDF ---------------------------------------------------------------------------------------


def render_pdf(doc: Document) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import TableHeadingsDisplay, WrapMode
    from fpdf.fonts import FontFace

    footer_line = doc.footer()

    class _PDF(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(FONT, size=6.5)
            self.set_text_color(90)
            self.multi_cell(0, 3, f"{footer_line} · page {self.page_no()}/{{nb}}", align="C")
            self.set_text_color(0)

    pdf = _PDF(orientation="L" if doc.landscape else "P", format="A4")
    pdf.set_title(doc.title)
    if doc.author:
        pdf.set_author(doc.author)
    pdf.set_creator("Bastion")
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    pdf.set_font(FONT, "B", 18)
    pdf.multi_cell(0, 9, readable(doc.title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    sizes = {1: 14, 2: 12, 3: 10.5}
    for block in doc.blocks:
        if isinstance(block, PageBreak):
            pdf.add_page()
        elif isinstance(block, Heading):
            pdf.ln(2)
            pdf.set_font(FONT, "B", sizes.get(block.level, 10))
            pdf.multi_cell(0, 7, readable(block.text), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        elif isinstance(block, Paragraph):
            pdf.set_font(FONT, "", 9.5)
            pdf.multi_cell(0, 5, readable(block.text), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1.5)
        elif isinstance(block, KeyValues):
            with pdf.table(
                [[label, readable(value)] for label, value in block.items],
                col_widths=(1, 3),
                first_row_as_headings=False,
                borders_layout="NONE",
                text_align="LEFT",
                line_height=5,
                wrapmode=WrapMode.WORD,  # a word longer than its cell (a hash) is still split
            ):
                pass
            pdf.ln(2)
        elif isinstance(block, Table):
            pdf.set_font(FONT, "B", 10.5)
            pdf.multi_cell(0, 6, readable(block.title), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font(FONT, "", 7.5)
            if not block.rows:
                pdf.multi_cell(0, 5, block.empty, new_x="LMARGIN", new_y="NEXT")
            else:
                with pdf.table(
                    col_widths=tuple(block.widths or [1] * len(block.columns)),
                    headings_style=FontFace(emphasis="BOLD", fill_color=(230, 233, 238)),
                    repeat_headings=TableHeadingsDisplay.ON_TOP_OF_EVERY_PAGE,
                    text_align="LEFT",
                    line_height=4,
                    wrapmode=WrapMode.WORD,
                ) as table:
                    table.row([str(c) for c in block.columns])
                    for row in block.rows:
                        table.row([readable(v) for v in row])
            pdf.ln(3)
        pdf.set_font(FONT, "", 9.5)
    return bytes(pdf.output())


# --- DOCX --------------------------------------------------------------------------------------


def render_docx(doc: Document) -> bytes:
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_BREAK
    from docx.shared import Pt

    document = docx.Document()
    document.core_properties.title = doc.title
    if doc.author:
        document.core_properties.author = doc.author
    styles = document.styles
    styles["Normal"].font.name = "DejaVu Sans"
    styles["Normal"].font.size = Pt(9.5)
    for section in document.sections:
        if doc.landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = section.page_height, section.page_width
        footer = section.footer.paragraphs[0]
        footer.text = doc.footer()
        footer.runs[0].font.size = Pt(7)
    document.add_heading(readable(doc.title), level=0)
    for block in doc.blocks:
        if isinstance(block, PageBreak):
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif isinstance(block, Heading):
            document.add_heading(readable(block.text), level=min(block.level, 3))
        elif isinstance(block, Paragraph):
            document.add_paragraph(readable(block.text))
        elif isinstance(block, KeyValues):
            for label, value in block.items:
                line = document.add_paragraph()
                line.add_run(f"{label}: ").bold = True
                line.add_run(readable(value))
        elif isinstance(block, Table):
            document.add_heading(readable(block.title), level=3)
            if not block.rows:
                document.add_paragraph(block.empty)
                continue
            table = document.add_table(rows=1, cols=len(block.columns))
            table.style = "Table Grid"
            for cell, column in zip(table.rows[0].cells, block.columns, strict=True):
                cell.text = str(column)
                cell.paragraphs[0].runs[0].bold = True
            for row in block.rows:
                cells = table.add_row().cells
                for cell, value in zip(cells, row, strict=True):
                    cell.text = readable(value)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- XLSX and CSV --------------------------------------------------------------------------------


def is_formula_like(value: Value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def sheet_value(value: Value) -> Value:
    """A value openpyxl can store: numbers and dates as such, everything else as text."""
    if value is None or isinstance(value, (int, float, Decimal, dt.date, bool)):
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            return value.astimezone(dt.UTC).replace(tzinfo=None)  # Excel has no time zones: UTC
        return value
    return str(value)


def render_xlsx(tables: Iterable[Table]) -> bytes:
    from openpyxl import Workbook  # type: ignore[import-untyped]  # no stubs installed
    from openpyxl.styles import Font  # type: ignore[import-untyped]

    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        sheet = workbook.create_sheet(table.name)
        sheet.append([str(c) for c in table.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([sheet_value(v) for v in row])
            for cell, value in zip(sheet[sheet.max_row], row, strict=True):
                if is_formula_like(value):
                    # openpyxl turns a string starting with "=" into a formula; keep it text.
                    cell.value = value
                    cell.data_type = "s"
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_text(value: Value) -> str:
    """A CSV field: the document text, with a leading apostrophe before a formula-like start."""
    if not isinstance(value, str):
        return text(value)  # numbers and dates: a negative number is not a formula
    return "'" + value if is_formula_like(value) else value


def render_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_text(c) for c in table.columns])
    for row in table.rows:
        writer.writerow([csv_text(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# --- zip with manifest ----------------------------------------------------------------------------


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest(files: dict[str, bytes]) -> bytes:
    """`sha256sum` format: one "<hash>  <name>" line per file, sorted by name."""
    return "".join(f"{sha256(data)}  {name}\n" for name, data in sorted(files.items())).encode()


def build_zip(files: dict[str, bytes]) -> bytes:
    """A zip of `files` plus MANIFEST.sha256. Entries carry a fixed time, so the same files give
    the same bytes (the pack's own hash is then reproducible)."""
    if MANIFEST in files:
        raise ValueError(f"{MANIFEST} is written by build_zip")
    for name in files:
        if name.startswith("/") or ".." in name.split("/"):
            raise ValueError(f"unsafe file name in zip: {name!r}")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in [*sorted(files.items()), (MANIFEST, manifest(files))]:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return out.getvalue()
