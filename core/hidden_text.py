"""Finding the characters people cannot see (pure Python, no Django).

Guardrails and reviewers read text; models read code points. Text can carry instructions a
reader never sees:

- **tag** — Unicode tag characters U+E0000–U+E007F. U+E0020–U+E007E mirror printable ASCII, so
  a run of them smuggles a whole sentence ("ASCII smuggling"); `decode_tags` reads it back.
- **zero-width** — ZWSP, ZWNJ, ZWJ, WORD JOINER, BOM/ZWNBSP, SOFT HYPHEN, MONGOLIAN VOWEL
  SEPARATOR, the invisible mathematical operators, COMBINING GRAPHEME JOINER and the Hangul
  fillers: they split or join words without showing.
- **bidi** — bidirectional embeddings, overrides and isolates (LRE RLE PDF LRO RLO LRI RLI FSI
  PDI) and marks (LRM RLM ALM): the text shown is not the order of the text read ("Trojan
  Source").
- **variation-selector** — FE00–FE0F and E0100–E01EF. Runs of them encode bytes (one byte per
  selector); `decode_selectors` reads such a payload back. VS15/VS16 right after a symbol
  (U+2000 and above, not a letter) are ordinary emoji presentation and are not reported.
- **control** — C0/C1 control characters other than tab, line feed and carriage return.
- **format** — any other character of Unicode category Cf (invisible formatting).
- **confusable** — a practical heuristic, not Unicode's full confusables table: a word (a run of
  letters) that mixes Latin letters with Cyrillic or Greek ones, such as "pаypal" with a Cyrillic
  "а". Each non-Latin letter of such a word is reported. Words written wholly in Cyrillic or
  Greek are not reported. Confusables are visible letters, so `strip_hidden` keeps them unless
  asked to fold the common look-alikes to Latin (`confusables=True`).

Positions are 1-based lines and 1-based columns counted in code points (characters), which is
what Python and most terminals count; editors that count UTF-16 units differ after emoji.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
import unicodedata
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

TAG = "tag"
ZERO_WIDTH = "zero-width"
BIDI = "bidi"
VARIATION_SELECTOR = "variation-selector"
CONTROL = "control"
FORMAT = "format"
CONFUSABLE = "confusable"

KIND_LABELS = {
    TAG: "tag characters",
    ZERO_WIDTH: "zero-width character",
    BIDI: "bidirectional control",
    VARIATION_SELECTOR: "variation selector",
    CONTROL: "control character",
    FORMAT: "invisible format character",
    CONFUSABLE: "look-alike letter",
}

MAX_SCAN_BYTES = 1024 * 1024  # the scanner page and the command read at most 1 MB per input
MAX_FINDINGS = 1000  # a report lists at most this many; the total is still counted

ZERO_WIDTH_CHARS = frozenset(
    "\u00ad\u034f\u115f\u1160\u180e\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\u3164\ufeff\uffa0"
)
BIDI_CHARS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
EMOJI_SELECTORS = frozenset("\ufe0e\ufe0f")

_NAMES = {
    "\u115f": "HANGUL CHOSEONG FILLER",
    "\u1160": "HANGUL JUNGSEONG FILLER",
    "\u3164": "HANGUL FILLER",
    "\uffa0": "HALFWIDTH HANGUL FILLER",
}


def _is_selector(cp: int) -> bool:
    return 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF


def _format_chars() -> list[int]:
    # Category Cf lives in these planes only (checked against the whole range by the tests).
    ranges = (range(0x20000), range(0xE0000, 0xE1000))
    return [cp for r in ranges for cp in r if unicodedata.category(chr(cp)) == "Cf"]


def _char_class(codepoints) -> str:
    """A regular-expression character class matching exactly `codepoints`, as ranges."""
    points = sorted(set(codepoints))
    parts, start, prev = [], points[0], points[0]
    for cp in [*points[1:], None]:
        if cp is not None and cp == prev + 1:
            prev = cp
            continue
        parts.append(re.escape(chr(start)) + ("-" + re.escape(chr(prev)) if prev != start else ""))
        if cp is not None:
            start = prev = cp
    return "[" + "".join(parts) + "]"


_HIDDEN_POINTS = {
    *range(0xE0000, 0xE0080),
    *(ord(c) for c in ZERO_WIDTH_CHARS | BIDI_CHARS),
    *range(0xFE00, 0xFE10),
    *range(0xE0100, 0xE01F0),
    *(cp for cp in range(0x20) if chr(cp) not in "\t\n\r"),
    *range(0x7F, 0xA0),
    *_format_chars(),
}
# One search answers "is anything hidden here?": the fast path of the template filter.
HIDDEN_RE = re.compile(_char_class(_HIDDEN_POINTS) + "+")

# A word with at least one Cyrillic or Greek letter; checked afterwards for Latin letters.
_LETTER = r"[^\W\d_]"
_MIXED_CANDIDATE_RE = re.compile(rf"{_LETTER}*[\u0370-\u03ff\u0400-\u052f\u1f00-\u1fff]{_LETTER}*")

# Common Cyrillic and Greek look-alikes of Latin letters (for folding, not for detection).
CONFUSABLE_FOLD = str.maketrans(
    "аеорсухіјѕԁһӏԛԝАВЕКМНОРСТХЅІЈУοναικρτυχΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
    "aeopcyxijsdhlqwABEKMHOPCTXSIJYovaikptuxABEZHIKMNOPTYX",
)


def kind_of(ch: str, previous: str = "") -> str | None:
    """The kind of hidden character `ch` is, or None when it is an ordinary character."""
    cp = ord(ch)
    if 0xE0000 <= cp <= 0xE007F:
        return TAG
    if ch in ZERO_WIDTH_CHARS:
        return ZERO_WIDTH
    if ch in BIDI_CHARS:
        return BIDI
    if _is_selector(cp):
        if ch in EMOJI_SELECTORS and previous and ord(previous) >= 0x2000 and not previous.isalnum():
            return None  # ❤️, ☺︎: emoji or text presentation of a symbol
        return VARIATION_SELECTOR
    if (cp < 0x20 and ch not in "\t\n\r") or 0x7F <= cp < 0xA0:
        return CONTROL
    if unicodedata.category(ch) == "Cf":
        return FORMAT
    return None


def char_name(ch: str) -> str:
    if ch in _NAMES:
        return _NAMES[ch]
    default = f"CONTROL CHARACTER U+{ord(ch):04X}" if unicodedata.category(ch) == "Cc" else "UNNAMED"
    return unicodedata.name(ch, default)


def codepoint(ch: str) -> str:
    return f"U+{ord(ch):04X}"


def decode_tags(run: str) -> str:
    """The ASCII a run of tag characters spells; LANGUAGE TAG and CANCEL TAG become ⟨lang⟩/⟨end⟩."""
    out = []
    for ch in run:
        cp = ord(ch) - 0xE0000
        if 0x20 <= cp <= 0x7E:
            out.append(chr(cp))
        elif cp == 0x01:
            out.append("⟨lang⟩")
        elif cp == 0x7F:
            out.append("⟨end⟩")
        else:
            out.append("?")
    return "".join(out)


def selector_byte(ch: str) -> int:
    cp = ord(ch)
    return cp - 0xFE00 if cp <= 0xFE0F else cp - 0xE0100 + 16


def decode_selectors(run: str) -> str:
    """The text a run of variation selectors encodes (one byte each), or "" when it is not text."""
    if len(run) < 2:
        return ""
    data = bytes(selector_byte(ch) for ch in run)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return ""
    return text if text.isprintable() else ""


@dataclass(slots=True)
class Finding:
    """One hidden character, or one run of tag characters / variation selectors."""

    kind: str
    char: str  # the (first) character
    line: int
    column: int
    length: int = 1  # characters in the run
    decoded: str = ""  # tag or selector runs: the text they smuggle
    word: str = ""  # confusables: the word the letter sits in
    where: str = ""  # CSV: "row 3, column “prompt”"; JSONL: "$.messages[0].content"
    offset: int = 0  # 0-based character offset in the scanned text (or the CSV cell / JSON string)

    @property
    def codepoint(self) -> str:
        return codepoint(self.char)

    @property
    def name(self) -> str:
        return char_name(self.char)

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    def describe(self) -> str:
        """One line for people: kind, code point, name, and the smuggled text or the word."""
        text = f"{self.label}: {self.codepoint} {self.name}"
        if self.length > 1:
            text += f" (+{self.length - 1} more)"
        if self.decoded:
            text += f" — decodes to “{self.decoded}”"
        if self.word:
            text += f" in “{self.word}”"
        return text

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "codepoint": self.codepoint,
            "name": self.name,
            "line": self.line,
            "column": self.column,
            "length": self.length,
            "decoded": self.decoded,
            "word": self.word,
            "where": self.where,
        }


class _Lines:
    """Offset → (line, column), both 1-based."""

    def __init__(self, text: str):
        self.starts = [0, *(m.end() for m in re.finditer(r"\r\n|\r|\n", text))]

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


def _runs(text: str) -> Iterator[tuple[int, str]]:
    """(offset, run) for every maximal run of hidden code points."""
    for match in HIDDEN_RE.finditer(text):
        yield match.start(), match.group()


def _hidden(text: str, lines: _Lines) -> Iterator[Finding]:
    for start, run in _runs(text):
        i = 0
        while i < len(run):
            ch = run[i]
            previous = run[i - 1] if i else (text[start - 1] if start else "")
            kind = kind_of(ch, previous)
            if kind is None:
                i += 1
                continue
            j = i + 1
            if kind in (TAG, VARIATION_SELECTOR):  # one finding per run, with what it spells
                while j < len(run) and kind_of(run[j], run[j - 1]) == kind:
                    j += 1
            chunk = run[i:j]
            decoded = decode_tags(chunk) if kind == TAG else decode_selectors(chunk) if len(chunk) > 1 else ""
            line, column = lines.position(start + i)
            yield Finding(kind, ch, line, column, length=j - i, decoded=decoded, offset=start + i)
            i = j


def _is_latin(ch: str) -> bool:
    return ch.isascii() or unicodedata.name(ch, "").startswith("LATIN")


def _confusables(text: str, lines: _Lines) -> Iterator[Finding]:
    for match in _MIXED_CANDIDATE_RE.finditer(text):
        word = match.group()
        if not any(ch.isalpha() and _is_latin(ch) for ch in word):
            continue
        for i, ch in enumerate(word):
            if ch.isalpha() and not _is_latin(ch):
                line, column = lines.position(match.start() + i)
                yield Finding(CONFUSABLE, ch, line, column, word=word, offset=match.start() + i)


def scan(text: str, *, confusables: bool = True) -> list[Finding]:
    """Every hidden character of `text` (tag and selector runs as one finding), in text order."""
    hidden = bool(text) and HIDDEN_RE.search(text) is not None
    mixed = confusables and bool(text) and _MIXED_CANDIDATE_RE.search(text) is not None
    if not (hidden or mixed):
        return []
    lines = _Lines(text)
    found = list(_hidden(text, lines)) if hidden else []
    if mixed:
        found.extend(_confusables(text, lines))
        found.sort(key=lambda f: f.offset)
    return found


def has_hidden(text: str) -> bool:
    return bool(text) and HIDDEN_RE.search(text) is not None


def strip_hidden(text: str, *, confusables: bool = False) -> str:
    """`text` without its hidden characters (emoji presentation selectors are kept); with
    `confusables`, common Cyrillic/Greek look-alikes inside Latin words become Latin letters."""
    if has_hidden(text):
        out, last = [], 0
        for start, run in _runs(text):
            out.append(text[last:start])
            for i, ch in enumerate(run):
                previous = run[i - 1] if i else (text[start - 1] if start else "")
                if kind_of(ch, previous) is None:
                    out.append(ch)
            last = start + len(run)
        out.append(text[last:])
        text = "".join(out)
    if confusables:
        pieces, last = [], 0
        for finding in _confusables(text, _Lines(text)):
            pieces.append(text[last : finding.offset])
            pieces.append(finding.char.translate(CONFUSABLE_FOLD))
            last = finding.offset + 1
        pieces.append(text[last:])
        text = "".join(pieces)
    return text


# --- Documents (the scanner page and the command) --------------------------------------------


class ScanRefused(ValueError):
    """The input is not text the scanner reads: too large, binary or not UTF-8."""


FORMATS = ("text", "csv", "jsonl")


def guess_format(filename: str) -> str:
    name = (filename or "").lower()
    if name.endswith(".csv"):
        return "csv"
    if name.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    return "text"


def decode_input(data: bytes, *, max_bytes: int = MAX_SCAN_BYTES) -> str:
    """Bytes → text, refusing what is not UTF-8 text (a leading BOM is kept: it is a finding)."""
    if len(data) > max_bytes:
        raise ScanRefused(f"The input is {len(data):,} bytes; the limit is {max_bytes:,} bytes.")
    if b"\x00" in data:
        raise ScanRefused("The input contains NUL bytes: it looks binary, not like text.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScanRefused(f"The input is not UTF-8 text (invalid byte at position {exc.start:,}).") from None


@dataclass
class ScanReport:
    source: str
    format: str
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    lines: int = 0

    @property
    def total(self) -> int:
        return len(self.findings)

    @property
    def shown(self) -> list[Finding]:
        return self.findings[:MAX_FINDINGS]

    @property
    def payloads(self) -> list[Finding]:
        """Findings that smuggle text (tag runs, selector payloads)."""
        return [f for f in self.findings if f.decoded]

    def labelled_counts(self) -> list[tuple[str, int]]:
        return [(KIND_LABELS[kind], n) for kind, n in sorted(self.counts().items())]

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for finding in self.findings:
            counts[finding.kind] = counts.get(finding.kind, 0) + 1
        return counts


def _csv_findings(text: str, raw: list[Finding]) -> tuple[list[Finding], list[str]]:
    """Name the cell of each finding. A one-line record without quotes is split at its commas;
    otherwise the k-th finding of a record's lines is the k-th finding of its cells (delimiters and
    quotes are never hidden characters, so the order is the same)."""
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        return raw, [f"The CSV could not be read ({exc}); positions are given as line:column only."]
    header = rows[0][1] if rows else []
    starts = _Lines(text).starts
    located, index, first = [], 0, 1
    for number, (last, cells) in enumerate(rows, start=1):
        end = index
        while end < len(raw) and raw[end].line <= last:
            end += 1
        in_record, index = raw[index:end], end
        record = text[starts[first - 1] : starts[last] if last < len(starts) else len(text)]
        first = last + 1
        if not in_record:
            continue
        if '"' not in record and "\n" not in record.rstrip("\r\n"):
            columns = [record[: f.column - 1].count(",") + 1 for f in in_record]
        else:
            columns = [col for col, cell in enumerate(cells, start=1) for _f in scan(cell)]
            if len(columns) != len(in_record):
                located.extend(in_record)
                continue
        for finding, col in zip(in_record, columns, strict=True):
            name = header[col - 1] if number > 1 and col - 1 < len(header) and header[col - 1] else ""
            where = f"row {number}, column {col}" + (f" “{name}”" if name else "")
            located.append(_with(finding, where=where))
    located.extend(raw[index:])
    return located, []


def _with(finding: Finding, **changes) -> Finding:
    return replace(finding, **changes)


def _json_strings(value, path: str = "$") -> Iterator[tuple[str, str]]:
    """(path, string) for every key and string value of a JSON document, iteratively deep-safe."""
    stack = [(path, value)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            yield path, value
        elif isinstance(value, dict):
            for key, item in reversed(list(value.items())):
                child = f"{path}.{key}" if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key) else f"{path}[{key!r}]"
                yield f"{child} (key)", key
                stack.append((child, item))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", item) for i, item in reversed(list(enumerate(value))))


def _jsonl_findings(text: str, raw: list[Finding]) -> tuple[list[Finding], list[str]]:
    """Findings inside JSON strings, escaped (\\u200b) or not, with the line and the JSON path."""
    found, notes = [], []
    raw_by_line: dict[int, list[Finding]] = {}
    for f in raw:
        raw_by_line.setdefault(f.line, []).append(f)
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            found.extend(raw_by_line.get(number, []))
            continue
        try:
            document = json.loads(line)
        except (ValueError, RecursionError):
            notes.append(f"line {number}: not valid JSON; positions are given as line:column.")
            found.extend(raw_by_line.get(number, []))
            continue
        for path, string in _json_strings(document):
            for f in scan(string):
                found.append(_with(f, line=number, column=0, where=path))
    return found, notes


def scan_document(text: str, *, source: str = "input", fmt: str = "text") -> ScanReport:
    """Scan text read from a paste or a file; CSV cells and JSONL paths are named when possible."""
    raw = scan(text)
    report = ScanReport(source=source, format=fmt, lines=len(_Lines(text).starts) if text else 0)
    if fmt == "csv":
        report.findings, report.notes = _csv_findings(text, raw)
    elif fmt == "jsonl":
        report.findings, report.notes = _jsonl_findings(text, raw)
    else:
        report.findings = raw
    return report


def position(finding: Finding) -> str:
    text = f"{finding.line}:{finding.column}" if finding.column else f"{finding.line}"
    if finding.where:
        text += f" {finding.where}"
        if not finding.column:
            text += f" character {finding.offset + 1}"
    return text


def format_report(report: ScanReport) -> str:
    """The report as plain text: one finding per line, `source:line:column: description`."""
    out = []
    for finding in report.shown:
        out.append(f"{report.source}:{position(finding)}: {finding.describe()}")
    if report.total > MAX_FINDINGS:
        out.append(f"{report.source}: … and {report.total - MAX_FINDINGS} more findings")
    out.extend(f"{report.source}: note: {note}" for note in report.notes)
    summary = ", ".join(f"{n} {KIND_LABELS[k]}" for k, n in sorted(report.counts().items()))
    out.append(f"{report.source}: {report.total} finding(s)" + (f" ({summary})" if summary else "") + ".")
    return "\n".join(out)


# --- Command line (also `manage.py scan_hidden_text`) ------------------------------------------


def scan_path(path: str, *, fmt: str = "auto", max_bytes: int = MAX_SCAN_BYTES, stdin=None) -> ScanReport:
    """Read and scan one file ("-" is standard input). Raises ScanRefused or OSError."""
    if path == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        data = stream.read(max_bytes + 1)
        source = "<stdin>"
    else:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
        source = path
    text = decode_input(data, max_bytes=max_bytes)
    return scan_document(text, source=source, fmt=guess_format(path) if fmt == "auto" else fmt)


def main(argv: list[str] | None = None, *, out=None, err=None) -> int:
    """Scan files; print `file:line:column: finding` lines. 0: clean, 1: findings, 2: unreadable."""
    out, err = out or sys.stdout, err or sys.stderr
    parser = argparse.ArgumentParser(
        prog="scan_hidden_text", description="Report hidden and look-alike characters in text, CSV and JSONL files."
    )
    parser.add_argument("files", nargs="+", help="files to scan; - reads standard input")
    parser.add_argument("--format", choices=["auto", *FORMATS], default="auto", help="default: by file extension")
    parser.add_argument("--max-bytes", type=int, default=MAX_SCAN_BYTES, help="refuse larger files (default 1 MB)")
    parser.add_argument("--json", action="store_true", help="one JSON object per file instead of text")
    args = parser.parse_args(argv)
    status = 0
    for path in args.files:
        try:
            report = scan_path(path, fmt=args.format, max_bytes=args.max_bytes)
        except (ScanRefused, OSError) as exc:
            err.write(f"{path}: error: {exc}\n")
            status = 2
            continue
        if args.json:
            body = {"source": report.source, "format": report.format, "total": report.total, "notes": report.notes}
            body["findings"] = [f.as_dict() for f in report.shown]
            out.write(json.dumps(body, ensure_ascii=True) + "\n")
        else:
            out.write(format_report(report) + "\n")
        if report.total and status == 0:
            status = 1
    return status


if __name__ == "__main__":
    raise SystemExit(main())
