"""Reading library documents: uploaded or command-line files, and the built-in release.

A document is the parsed YAML or JSON of docs/library-format.md: a dict with `version` and
the four sections. The built-in release is split over many files under `builtin/`; they are
merged into one document, parsed once per process and cached (tests load the library for
every test, and parsing ~6,000 lines of YAML is the slow part).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import yaml

from .schema import SECTIONS, LibraryError, LibraryInvalid, validate

BUILTIN_DIR = Path(__file__).resolve().parent / "builtin"

# The C loader is several times faster; fall back to the pure-Python one where it is missing.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse(content: str | bytes, *, name: str = "") -> Any:
    """Parse JSON (a `.json` name, or content starting with `{`) or YAML; raise LibraryInvalid."""
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise LibraryInvalid([LibraryError(name or "(file)", f"not UTF-8 text (byte {exc.start})")]) from None
    if name.lower().endswith(".json") or content.lstrip().startswith("{"):
        try:
            return json.loads(content)
        except json.JSONDecodeError as exc:
            raise LibraryInvalid([LibraryError(f"line {exc.lineno}", f"invalid JSON: {exc.msg}")]) from None
    try:
        return yaml.load(content, Loader=_Loader)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(file)"
        reason = getattr(exc, "problem", None) or str(exc)
        raise LibraryInvalid([LibraryError(where, f"invalid YAML: {reason}")]) from None


def merge(documents: list[tuple[str, Any]]) -> dict:
    """One document from several files (the built-in release); every file must be version 1."""
    merged: dict[str, Any] = {"version": 1, **{section: [] for section in SECTIONS}}
    errors: list[LibraryError] = []
    for name, document in documents:
        if not isinstance(document, dict):
            errors.append(LibraryError(name, "expected a mapping at the top level"))
            continue
        for error in validate({key: document[key] for key in document if key not in SECTIONS}):
            errors.append(LibraryError(f"{name}: {error.path}", error.message))
        for section in SECTIONS:
            entries = document.get(section) or []
            if isinstance(entries, list):
                merged[section].extend(entries)
            else:
                errors.append(LibraryError(f"{name}: {section}", "expected a list"))
    if errors:
        raise LibraryInvalid(errors)
    return merged


def builtin_files(root: Path = BUILTIN_DIR) -> list[Path]:
    return sorted(root.rglob("*.yaml"))


def builtin_document(root: Path = BUILTIN_DIR) -> dict:
    """The built-in release as one validated document (cached until a file changes)."""
    files = tuple((str(p.relative_to(root)), p.stat().st_mtime_ns, p.stat().st_size) for p in builtin_files(root))
    return _builtin_document(str(root), files)


@functools.lru_cache(maxsize=4)
def _builtin_document(root: str, files: tuple) -> dict:
    documents, errors = [], []
    for name, _mtime, _size in files:
        try:
            documents.append((name, parse((Path(root) / name).read_bytes(), name=name)))
        except LibraryInvalid as exc:
            errors += [LibraryError(f"{name}: {e.path}", e.message) for e in exc.errors]
    if errors:
        raise LibraryInvalid(errors)
    document = merge(documents)
    errors = validate(document)
    if errors:
        raise LibraryInvalid(errors)
    return document
