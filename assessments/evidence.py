"""Checking uploaded evidence before it is stored (OWASP ASVS 5.2, 5.3).

A file is accepted when its extension is on the allowed list **and** its content is what the
extension claims: PDF, PNG and JPEG by their signatures, Office files by the archive member
that makes them one, text formats by decoding as UTF-8 without NUL bytes. A file renamed to
look harmless is refused. The user's file name is kept for display and downloads only, with
path parts and control characters removed; on disk every file gets a random name.
"""

from __future__ import annotations

import hashlib
import io
import json
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, TypeVar

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

TEXT = "text"
ZIP = "zip"

# extension → (content type we store and serve, how the content is checked, label, zip member)
ALLOWED: dict[str, tuple[str, str, str, str]] = {
    ".pdf": ("application/pdf", "pdf", "a PDF document", ""),
    ".png": ("image/png", "png", "a PNG image", ""),
    ".jpg": ("image/jpeg", "jpg", "a JPEG image", ""),
    ".jpeg": ("image/jpeg", "jpg", "a JPEG image", ""),
    ".txt": ("text/plain", TEXT, "a text file", ""),
    ".csv": ("text/csv", TEXT, "a CSV file", ""),
    ".md": ("text/markdown", TEXT, "a Markdown file", ""),
    ".json": ("application/json", TEXT, "a JSON file", ""),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ZIP,
        "an Excel workbook",
        "xl/workbook.xml",
    ),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ZIP,
        "a Word document",
        "word/document.xml",
    ),
}

# An Office file is a zip: refuse archives that would expand to absurd sizes (zip bombs).
MAX_ZIP_MEMBERS = 5000
MAX_ZIP_EXPANDED = 200 * 1024 * 1024


def max_bytes() -> int:
    return settings.BASTION_EVIDENCE_MAX_BYTES


def allowed_extensions() -> str:
    return ", ".join(sorted(ALLOWED))


def safe_filename(name: str) -> str:
    """The file name without any path, control characters or leading dots, at most 150 characters.

    `../../etc/passwd` → `passwd`; `C:\\evil\\x.pdf` → `x.pdf`; CR/LF and NUL are removed so the
    name cannot break a Content-Disposition header.
    """
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().lstrip(".").strip()
    if len(name) > 150:
        suffix = PurePosixPath(name).suffix[:10]
        name = name[: 150 - len(suffix)] + suffix
    return name or "evidence"


@dataclass
class ValidatedFile:
    file: File  # the upload as Django received it
    name: str  # safe display name
    extension: str
    content_type: str
    size: int
    sha256: str


def _read_all(upload) -> bytes:
    upload.seek(0)
    data = b"".join(upload.chunks()) if hasattr(upload, "chunks") else upload.read()
    upload.seek(0)
    return data


def _content_problem(data: bytes, check: str, member: str) -> str | None:
    """None when `data` is the kind `check` names, otherwise what it looks like instead."""
    guessed = filetype.guess(data[:8192])
    looks_like = guessed.extension.upper() if guessed else None
    if check == TEXT:
        if b"\x00" in data:
            return looks_like or _("binary data")
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return looks_like or _("binary data")
        return None
    if check == ZIP:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                infos = archive.infolist()
                if len(infos) > MAX_ZIP_MEMBERS or sum(i.file_size for i in infos) > MAX_ZIP_EXPANDED:
                    return _("an archive that expands to an unreasonable size")
                if member not in archive.namelist():
                    return looks_like or _("a different archive")
        except zipfile.BadZipFile:
            return looks_like or _("not an archive")
        return None
    if guessed is None or guessed.extension != check:
        return looks_like or _("unrecognised data")
    return None


def validate_upload(upload) -> ValidatedFile:
    """Check size, extension and content of an uploaded file; raise ValidationError saying why not."""
    name = safe_filename(getattr(upload, "name", ""))
    extension = PurePosixPath(name).suffix.lower()
    if extension not in ALLOWED:
        raise ValidationError(
            _("Files of this type are not accepted. Allowed: %(types)s.") % {"types": allowed_extensions()},
            code="type",
        )
    if upload.size > max_bytes():
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes())},
            code="size",
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    content_type, check, label, member = ALLOWED[extension]
    data = _read_all(upload)
    problem = _content_problem(data, check, member)
    if problem is None and extension == ".json":
        try:
            json.loads(data.decode("utf-8-sig"))
        except ValueError:
            problem = _("text that is not valid JSON")
    if problem:
        raise ValidationError(
            _("“%(name)s” does not contain what its name says: it should be %(label)s but looks like %(found)s.")
            % {"name": name, "label": label, "found": problem},
            code="content",
        )
    return ValidatedFile(
        file=upload,
        name=name,
        extension=extension,
        content_type=content_type,
        size=upload.size,
        sha256=hashlib.sha256(data).hexdigest(),
    )


Row = TypeVar("Row", bound=Any)


def store(row: Row, *, upload: ValidatedFile | None, link: str, note: str, recorded: Callable[[Row], None]) -> Row:
    """Fill and save an evidence row: a control assignment's `Evidence`, or a record's attachment
    (the same file / link / note fields). `recorded(row)` writes its audit event in the same
    transaction; the stored file is removed when the row is not written."""
    from .models import EvidenceKind

    if sum(bool(x) for x in (upload, link, note)) != 1:
        raise ValidationError(_("Give a file, a link or a note."))
    if upload:
        row.kind = EvidenceKind.FILE
        row.original_filename = upload.name
        row.content_type = upload.content_type
        row.size = upload.size
        row.sha256 = upload.sha256
        # The storage name is random (models.evidence_path); only the extension is kept.
        row.file.save(f"upload{upload.extension}", upload.file, save=False)
    elif link:
        row.kind, row.link = EvidenceKind.LINK, link
    else:
        row.kind, row.note = EvidenceKind.NOTE, note
    try:
        with transaction.atomic():
            row.save()
            recorded(row)
    except BaseException:
        if row.file:
            row.file.delete(save=False)  # no orphan file when the row is not written
        raise
    return row


def audit_summary(row: Any) -> dict[str, Any]:
    """What an audit event says about a stored piece of evidence."""
    return {
        "kind": row.kind,
        "name": row.original_filename or row.link or row.note[:80],
        "sha256": row.sha256,
        "valid_until": row.valid_until,
    }


def download(row: Any) -> FileResponse:
    """An evidence file only ever leaves as a download: never shown in the browser (attachment,
    nosniff, a sandboxing CSP), never from a public media URL."""
    response = FileResponse(
        row.file.open("rb"),
        as_attachment=True,
        filename=row.original_filename,
        content_type=row.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response
