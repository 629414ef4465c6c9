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
from typing import TYPE_CHECKING, Any

import yaml

from .schema import SECTIONS, LibraryError, LibraryInvalid, validate

BUILTIN_DIR = Path(__file__).resolve().parent / "builtin"

# Bounds on any document, whatever its source (an upload, the import command, the control form,
# the built-in files). The built-in release is a few hundred kilobytes, nests ten levels deep and
# holds under 10,000 values; an organisation's file has room to grow well past that.
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 40  # nested mappings and lists
MAX_NODES = 200_000  # keys, values and list entries together
MAX_RULE_CHARS = 10_000  # a rule typed into the control form


class Refused(yaml.MarkedYAMLError):
    """A YAML document outside the bounds, or using anchors or aliases; reported like a syntax error."""

    def __init__(self, mark, problem: str):
        super().__init__(problem=problem, problem_mark=mark)


def _too_deep() -> str:
    return f"nested deeper than {MAX_DEPTH} levels"


def _too_many() -> str:
    return f"more than {MAX_NODES:,} values"


class _StrictLoader(yaml.SafeLoader):
    """The safe loader, refusing anchors and aliases and counting depth and values as it composes.

    Aliases let a few hundred bytes expand into millions of values (the "billion laughs"); a
    library document has no use for them, so both anchors and aliases are refused outright.
    Depth is checked before each nested node is composed, so the recursive composer never goes
    deeper than MAX_DEPTH.
    """

    def __init__(self, stream):
        super().__init__(stream)
        self.depth = 0
        self.nodes = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise Refused(event.start_mark, "anchors and aliases (& and *) are not allowed in a library file")
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise Refused(event.start_mark, _too_many())
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise Refused(event.start_mark, _too_deep())
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


if TYPE_CHECKING:
    _SafeLoader = yaml.SafeLoader
else:  # the C loader where PyYAML was built with libyaml
    _SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _FastLoader(_SafeLoader):
    """The C safe loader (several times faster) for text that cannot hold an anchor or an alias:
    the composed node tree is measured, without recursion, before any value is built."""

    def construct_document(self, node):
        stack, count = [(node, 1)], 0
        while stack:
            current, depth = stack.pop()
            count += 1
            if count > MAX_NODES:
                raise Refused(current.start_mark, _too_many())
            if depth > MAX_DEPTH:
                raise Refused(current.start_mark, _too_deep())
            if isinstance(current, yaml.SequenceNode):
                stack.extend((child, depth + 1) for child in current.value)
            elif isinstance(current, yaml.MappingNode):
                stack.extend((part, depth + 1) for pair in current.value for part in pair)
        return super().construct_document(node)


def _load_yaml(text: str) -> Any:
    # An anchor or an alias needs a literal & or *; text without either takes the fast path.
    loader = _StrictLoader if "&" in text or "*" in text else _FastLoader
    # Both loaders derive from yaml's SafeLoader / CSafeLoader: no object of any other type is built.
    return yaml.load(text, Loader=loader)  # noqa: S506  # nosec B506


def check_shape(value: Any, where: str = "(file)") -> None:
    """Raise LibraryInvalid if parsed data nests deeper than MAX_DEPTH or holds more than MAX_NODES values.

    Walks with an explicit stack, so data of any depth is measured safely."""
    stack, count = [(value, 1)], 0
    while stack:
        current, depth = stack.pop()
        count += 1
        problem = _too_many() if count > MAX_NODES else _too_deep() if depth > MAX_DEPTH else None
        if problem:
            raise LibraryInvalid([LibraryError(where, problem)])
        if isinstance(current, dict):
            stack.extend((part, depth + 1) for pair in current.items() for part in pair)
        elif isinstance(current, list):
            stack.extend((child, depth + 1) for child in current)


def _first_clause(exc: Exception) -> str:
    """The reason of a parser's ValueError without its advice to programmers."""
    return str(exc).split(";")[0]


def parse(content: str | bytes, *, name: str = "") -> Any:
    """Parse JSON (a `.json` name, or content starting with `{`) or YAML; raise LibraryInvalid.

    The document is bounded in size, depth and number of values; YAML anchors and aliases are
    refused. Anything the parsers reject becomes a `where: reason` error, never an exception.
    """
    size = len(content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content)
    if size > MAX_DOCUMENT_BYTES:
        limit = MAX_DOCUMENT_BYTES // (1024 * 1024)
        raise LibraryInvalid([LibraryError(name or "(file)", f"larger than {limit} MB")])
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise LibraryInvalid([LibraryError(name or "(file)", f"not UTF-8 text (byte {exc.start})")]) from None
    if name.lower().endswith(".json") or content.lstrip().startswith("{"):
        try:
            document = json.loads(content)
        except json.JSONDecodeError as exc:
            raise LibraryInvalid([LibraryError(f"line {exc.lineno}", f"invalid JSON: {exc.msg}")]) from None
        except RecursionError:
            raise LibraryInvalid([LibraryError(name or "(file)", _too_deep())]) from None
        except ValueError as exc:  # e.g. an integer beyond Python's digit limit
            raise LibraryInvalid([LibraryError(name or "(file)", f"invalid JSON: {_first_clause(exc)}")]) from None
        check_shape(document, name or "(file)")
        return document
    return _parse_yaml(content, name)


def _parse_yaml(content: str, name: str) -> Any:
    try:
        return _load_yaml(content)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(file)"
        reason = getattr(exc, "problem", None) or str(exc)
        raise LibraryInvalid([LibraryError(where, f"invalid YAML: {reason}")]) from None
    except (ValueError, OverflowError) as exc:  # a value the constructor cannot build, e.g. a huge integer
        raise LibraryInvalid([LibraryError(name or "(file)", f"invalid YAML: {_first_clause(exc)}")]) from None


def parse_rule(text: str) -> Any:
    """A rule typed into the control form, read with the same bounded YAML loader as a file."""
    if len(text) > MAX_RULE_CHARS:
        raise LibraryInvalid([LibraryError("rule", f"longer than {MAX_RULE_CHARS:,} characters")])
    return _parse_yaml(text, "rule")


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
