"""The CSV import of red-team findings (docs/red-team-import.md).

The whole file is checked first; every problem is reported as `line N, column: reason`, and
nothing is written unless every row is valid. Bounded: 1 MB, 1000 rows, cells of the model's sizes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from core.choices import Domain
from governance.models import Control, Threat

from .models import FindingStatus, RetestResult, Severity

MAX_BYTES = 1024 * 1024
MAX_ROWS = 1000
REQUIRED = ["title", "severity", "hostile_intent", "harm_in_benign_use"]
OPTIONAL = ["status", "reproduction", "prompt", "threat", "control", "retest_on", "retest_result"]
COLUMNS = REQUIRED + OPTIONAL
LIMITS = {"title": 200, "reproduction": 8000, "prompt": 20000, "threat": 40, "control": 40}
YES, NO = {"yes", "y", "true", "1"}, {"no", "n", "false", "0", ""}


@dataclass
class Checked:
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _choice(value: str, choices, column: str, errors: list, line: int, default: str | None = None) -> str | None:
    value = value.strip().lower().replace(" ", "_")
    if not value and default is not None:
        return default
    if value in {c.value for c in choices}:
        return value
    allowed = ", ".join(c.value for c in choices if c.value)
    errors.append(f"line {line}, {column}: “{value}” is not one of {allowed}")
    return None


def check(data: bytes, organisation) -> Checked:
    """Parse and check every row; the rows ready to write, or the errors (then nothing is written)."""
    out = Checked()
    if len(data) > MAX_BYTES:
        out.errors.append(f"line 1, file: larger than {MAX_BYTES // 1024} KB")
        return out
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        out.errors.append("line 1, file: not UTF-8 text")
        return out
    if "\x00" in text:
        out.errors.append("line 1, file: contains NUL bytes")
        return out
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader, [])]
    except csv.Error as exc:
        out.errors.append(f"line 1, header: {exc}")
        return out
    if not header:
        out.errors.append("line 1, header: the file is empty")
        return out
    for name in REQUIRED:
        if name not in header:
            out.errors.append(f"line 1, {name}: required column missing")
    for name in header:
        if name not in COLUMNS:
            out.errors.append(f"line 1, {name or '(empty)'}: unknown column (allowed: {', '.join(COLUMNS)})")
    if len(set(header)) != len(header):
        out.errors.append("line 1, header: a column is named twice")
    if out.errors:
        return out
    threats = {t.ref.upper(): t for t in Threat.objects.for_org(organisation).active()}
    controls = {c.ref.upper(): c for c in Control.objects.for_org(organisation).filter(Q(retired_at__isnull=True))}
    try:
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(out.rows) + len(out.errors) >= MAX_ROWS:
                out.errors.append(f"line {line}, file: more than {MAX_ROWS} rows")
                break
            if len(record) != len(header):
                out.errors.append(f"line {line}, row: {len(record)} values for {len(header)} columns")
                continue
            row = _check_row(dict(zip(header, record, strict=True)), line, threats, controls, out.errors)
            if row is not None:
                out.rows.append(row)
    except csv.Error as exc:
        out.errors.append(f"line {reader.line_num}, row: {exc}")
    if not out.rows and not out.errors:
        out.errors.append("line 2, file: no findings in the file")
    return out


def _check_row(cells: dict[str, str], line: int, threats, controls, errors: list[str]) -> dict[str, Any] | None:
    before = len(errors)
    for column, limit in LIMITS.items():
        if len(cells.get(column, "")) > limit:
            errors.append(f"line {line}, {column}: longer than {limit} characters")
    title = cells["title"].strip()
    if not title:
        errors.append(f"line {line}, title: required")
    severity = _choice(cells["severity"], Severity, "severity", errors, line)
    answers = {}
    for column in ("hostile_intent", "harm_in_benign_use"):
        value = cells[column].strip().lower()
        if value not in YES | NO:
            errors.append(f"line {line}, {column}: answer yes or no")
        answers[column] = value in YES
    domain = Domain.from_intent(
        hostile_intent=answers["hostile_intent"], harm_in_benign_use=answers["harm_in_benign_use"]
    )
    if domain is None and len(errors) == before:
        errors.append(f"line {line}, hostile_intent: answer yes to at least one of the two questions")
    status = _choice(cells.get("status", ""), FindingStatus, "status", errors, line, default=FindingStatus.OPEN)
    result = _choice(cells.get("retest_result", ""), RetestResult, "retest_result", errors, line, default="")
    retest_on = None
    if raw := cells.get("retest_on", "").strip():
        try:
            retest_on = dt.date.fromisoformat(raw)
        except ValueError:
            errors.append(f"line {line}, retest_on: “{raw[:20]}” is not a date (YYYY-MM-DD)")
    threat = control = None
    if ref := cells.get("threat", "").strip().upper():
        threat = threats.get(ref)
        if threat is None:
            errors.append(f"line {line}, threat: no library threat “{ref[:40]}”")
    if ref := cells.get("control", "").strip().upper():
        control = controls.get(ref)
        if control is None:
            errors.append(f"line {line}, control: no library control “{ref[:40]}”")
    if len(errors) != before:
        return None
    return {
        "title": title,
        "severity": severity,
        "domain": domain.value if domain is not None else "",
        "reproduction": cells.get("reproduction", ""),
        "prompt": cells.get("prompt", ""),
        "threat": threat,
        "control": control,
        "status": status,
        "retest_on": retest_on,
        "retest_result": result,
        **answers,
    }
