"""Writing a library document to the database: checked first, then all of it or nothing.

Two scopes share one writer:

- **built-in** (`organisation=None`), the release path: rows are matched by key/ref and updated
  in place (un-retired when they come back); rows of a section the document carries that it no
  longer lists are *retired*, never deleted, so everything that points at them (assignments,
  an organisation's mappings) stays valid. Organisation rows are never read or written.
- **organisation**: the document adds to and updates the organisation's own rows; rows it does
  not list are left alone. It may refer to built-in items and controls but must not reuse
  built-in keys or refs.

Within a framework the item list is always complete: items missing from it are retired.
Writes are bulk operations (a fresh load is a few dozen queries), because tests load the
built-in library for every test that needs it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.db import connection, models, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Organisation
from audit.services import record

from ..models import Control, Framework, FrameworkItem, Scenario, Threat
from ..models.library import LibraryQuerySet
from .documents import builtin_document
from .schema import SECTIONS, Known, LibraryInvalid, validate

CHUNK = 500  # ids per IN (...) list: stays under SQLite's parameter limit


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0

    def __str__(self) -> str:
        return ", ".join(f"{n} {label}" for label, n in vars(self).items() if n) or "nothing"


@dataclass
class ImportReport:
    """What a load changed, per kind of row."""

    counts: dict[str, Counts] = field(default_factory=lambda: {k: Counts() for k in ("items", *SECTIONS)})

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {kind: vars(counts).copy() for kind, counts in self.counts.items()}

    @property
    def changed(self) -> bool:
        return any(c.created or c.updated or c.retired for c in self.counts.values())

    def __str__(self) -> str:
        return "; ".join(f"{kind}: {counts}" for kind, counts in self.counts.items())


def load_builtin_library() -> ImportReport:
    """Load (or upgrade to) the built-in release shipped in `governance/library/builtin/`.

    Idempotent: a second call changes nothing and reports every row unchanged. The files are
    parsed and checked once per process.
    """
    # The release is self-contained (it carries every section), so its check does not depend
    # on the database and was done when the cached document was built.
    return _write(builtin_document(), organisation=None)


def import_document(document: Any, *, organisation: Organisation | None = None) -> ImportReport:
    """Check `document` against the database, then write it; raise LibraryInvalid if it has errors."""
    errors = validate(document, known_for(document, organisation))
    if errors:
        raise LibraryInvalid(errors)
    return _write(document, organisation=organisation)


def _visible(model, organisation: Organisation | None) -> LibraryQuerySet:
    """Rows a document for this scope may refer to: the built-in ones, plus the organisation's own."""
    return model.objects.for_org(organisation) if organisation else model.objects.builtin()


def known_for(document: Any, organisation: Organisation | None) -> Known:
    """What `document` may refer to in the database, and which keys and refs it may not use."""
    if not isinstance(document, dict):
        return Known()

    def active_refs(model, section: str) -> frozenset[str]:
        if organisation is None and section in document:
            return frozenset()  # a release replaces every row of a section it carries
        return frozenset(_visible(model, organisation).active().values_list("ref", flat=True))

    items: frozenset[str] = frozenset()
    if organisation is not None or "frameworks" not in document:
        # The items of a framework the document defines come from the document alone.
        listed = document.get("frameworks")
        listed = listed if isinstance(listed, list) else []  # any other type is the checker's to report
        redefined = [fw.get("key") for fw in listed if isinstance(fw, dict) and isinstance(fw.get("key"), str)]
        frameworks = _visible(Framework, organisation).active().exclude(organisation=organisation, key__in=redefined)
        rows = FrameworkItem.objects.filter(framework__in=frameworks, retired_at__isnull=True)
        items = frozenset(f"{key}:{ref}" for key, ref in rows.values_list("framework__key", "ref"))
    reserved = {}
    if organisation is not None:
        reserved = {
            "frameworks": frozenset(Framework.objects.builtin().values_list("key", flat=True)),
            **{
                section: frozenset(model.objects.builtin().values_list("ref", flat=True))
                for section, model in (("controls", Control), ("threats", Threat), ("scenarios", Scenario))
            },
        }
    return Known(
        items=items,
        controls=active_refs(Control, "controls"),
        threats=active_refs(Threat, "threats"),
        reserved=reserved,
    )


# --- the writer -----------------------------------------------------------------------------------


def _chunks(values: list) -> Iterable[list]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _differs(row: models.Model, values: dict) -> bool:
    return any(getattr(row, name) != value for name, value in values.items())


# The models a document's sections load into (FrameworkItem rows come with their framework).
Row = TypeVar("Row", Framework, Control, Threat, Scenario)


@dataclass
class _Section(Generic[Row]):
    """How one section of the document maps onto its model."""

    model: type[Row]
    values: Callable[[dict], dict]
    relations: dict[str, Callable[[dict], set[int]]] = field(default_factory=dict)
    identity: str = "ref"


class _Writer:
    def __init__(self, document: dict, organisation: Organisation | None):
        self.document = document
        self.org = organisation
        self.now = timezone.now()
        self.report = ImportReport()
        # A release (built-in scope) replaces each section it carries; an organisation adds.
        self.complete = {s for s in SECTIONS if s in document} if organisation is None else set()

    def run(self) -> ImportReport:
        self.frameworks(self.document.get("frameworks") or [])
        mappings = self.resolver(self.item_ids(), "mappings")
        self.sync("controls", _Section(Control, _control_values, {"mappings": mappings}))
        relations = {"mappings": mappings, "controls": self.resolver(self.ref_ids(Control), "controls")}
        self.sync("threats", _Section(Threat, _threat_values, relations))
        relations["threats"] = self.resolver(self.ref_ids(Threat), "threats")
        self.sync("scenarios", _Section(Scenario, _scenario_values, relations))
        return self.report

    def item_ids(self) -> dict[str, int]:
        """`KEY:REF` → id of every framework item the document may map to."""
        rows = FrameworkItem.objects.filter(framework__in=_visible(Framework, self.org))
        return {f"{key}:{ref}": pk for key, ref, pk in rows.values_list("framework__key", "ref", "id")}

    def ref_ids(self, model) -> dict[str, int]:
        """`ref` → id of every row of `model` the document may refer to."""
        # Built-in rows first, so that where an organisation's ref equals a later built-in one,
        # the organisation's own row is what its document means.
        rows = _visible(model, self.org).order_by(F("organisation_id").asc(nulls_first=True))
        return dict(rows.values_list("ref", "id"))

    @staticmethod
    def resolver(ids: dict[str, int], name: str) -> Callable[[dict], set[int]]:
        return lambda spec: {ids[ref] for ref in spec.get(name) or []}

    def stamp(self, row: Framework | FrameworkItem | Control | Threat | Scenario) -> None:
        """Mark an existing row as changed by this load: back in service, newer, re-stamped."""
        row.retired_at = None
        if hasattr(row, "updated_at"):
            row.updated_at = self.now
        if hasattr(row, "version"):
            row.version += 1

    def retire(self, model, ids: list[int], kind: str) -> None:
        for chunk in _chunks(ids):
            model.objects.filter(pk__in=chunk).update(retired_at=self.now)
        self.report.counts[kind].retired += len(ids)

    @staticmethod
    def touched_fields(model, values: dict) -> list[str]:
        names = [*values, "retired_at"]
        return names + [n for n in ("updated_at", "version") if any(f.name == n for f in model._meta.fields)]

    # --- frameworks and their items --------------------------------------------------------

    def frameworks(self, specs: list[dict]) -> None:
        rows, gone = self.sync("frameworks", _Section(Framework, _framework_values, identity="key"))
        # A retired framework takes its items with it; they come back with it in a later release.
        items = FrameworkItem.objects.filter(framework_id__in=gone, retired_at__isnull=True)
        self.retire(FrameworkItem, list(items.values_list("pk", flat=True)), "items")
        self.items({rows[spec["key"]]: spec["items"] for spec in specs})

    def items(self, specs: dict[Framework, list[dict]]) -> None:
        counts = self.report.counts["items"]
        existing = {
            (item.framework_id, item.ref): item
            for item in FrameworkItem.objects.filter(framework__in=[fw.pk for fw in specs])
        }
        rows, parents, new, changed = {}, {}, [], []
        for fw, item_specs in specs.items():
            for position, spec in enumerate(item_specs):
                key = (fw.pk, spec["ref"])
                values = {
                    "title": spec["title"],
                    "kind": spec.get("kind") or "",
                    "out_of_scope": spec.get("out_of_scope") or "",
                    "note": spec.get("note") or "",
                    "position": position,
                }
                item = existing.get(key)
                if item is None:
                    item = FrameworkItem(framework=fw, ref=spec["ref"], **values)
                    new.append(item)
                    counts.created += 1
                elif item.retired_at or _differs(item, values):
                    for name, value in values.items():
                        setattr(item, name, value)
                    self.stamp(item)
                    changed.append(item)
                rows[key] = item
                parents[key] = (fw.pk, spec["parent"]) if spec.get("parent") else None
        self.create_in_waves(new, rows, parents)
        # Existing items: their parent may be new, so compare only now that every item has an id.
        changed_ids = {id(item) for item in changed}
        new_ids = {id(item) for item in new}
        for key, item in rows.items():
            if id(item) in new_ids:
                continue
            parent = parents[key]
            parent_id = rows[parent].pk if parent else None
            if item.parent_id != parent_id:
                item.parent_id = parent_id
                if id(item) not in changed_ids:
                    self.stamp(item)
                    changed.append(item)
                    changed_ids.add(id(item))
        if changed:
            FrameworkItem.objects.bulk_update(
                changed, ["title", "kind", "out_of_scope", "note", "position", "parent", "retired_at"]
            )
        counts.updated += len(changed)
        counts.unchanged += len(rows) - len(new) - len(changed)
        gone = [item.pk for key, item in existing.items() if key not in rows and item.retired_at is None]
        self.retire(FrameworkItem, gone, "items")

    @staticmethod
    def create_in_waves(new: list, rows: dict, parents: dict) -> None:
        """Create new items parents first, so each is inserted with its parent's id (no second pass)."""
        pending = {id(item) for item in new}
        keys = {id(item): key for key, item in rows.items()}
        while pending:
            wave = [
                item
                for item in new
                if id(item) in pending and (parents[keys[id(item)]] is None or rows[parents[keys[id(item)]]].pk)
            ]
            if not wave:
                raise RuntimeError("framework items whose parents never resolve (the schema check should prevent this)")
            for item in wave:
                parent_key = parents[keys[id(item)]]
                item.parent_id = rows[parent_key].pk if parent_key else None
                pending.discard(id(item))
            FrameworkItem.objects.bulk_create(wave)

    # --- controls, threats, scenarios ------------------------------------------------------

    def sync(self, kind: str, section: _Section[Row]) -> tuple[dict[str, Row], list[int]]:
        """Create, update and (for a release) retire one section's rows; return them by identity, and
        the ids it retired."""
        model, counts, identity = section.model, self.report.counts[kind], section.identity
        existing = {getattr(row, identity): row for row in model.objects.filter(organisation=self.org)}
        links = {name: self.links(model, name) for name in section.relations}
        new, changed, wanted_links, listed = [], [], [], set()
        for spec in self.document.get(kind) or []:
            values = section.values(spec)
            wanted = {name: relation(spec) for name, relation in section.relations.items()}
            listed.add(spec[identity])
            row = existing.get(spec[identity])
            if row is None:
                row = existing[spec[identity]] = model(organisation=self.org, **{identity: spec[identity]}, **values)
                new.append(row)
                counts.created += 1
            elif (
                row.retired_at
                or _differs(row, values)
                or any(set(links[name].get(row.pk, {})) != wanted[name] for name in wanted)
            ):
                for name, value in values.items():
                    setattr(row, name, value)
                self.stamp(row)
                changed.append(row)
                counts.updated += 1
            else:
                counts.unchanged += 1
                continue
            wanted_links.append((row, wanted))
        model.objects.bulk_create(new)
        if changed:
            model.objects.bulk_update(changed, self.touched_fields(model, values))
        for name, current in links.items():
            self.set_links(model, name, [(row.pk, wanted[name]) for row, wanted in wanted_links], current)
        gone = []
        if kind in self.complete:
            gone = [row.pk for key, row in existing.items() if key not in listed and not row.retired_at]
            self.retire(model, gone, kind)
        return existing, gone

    def links(self, model, name: str) -> dict[int, dict[int, int]]:
        """Current many-to-many rows of the scope's `model.name`: source id → {target id: link id}."""
        relation = model._meta.get_field(name)
        through = relation.remote_field.through
        source, target = relation.m2m_field_name(), relation.m2m_reverse_field_name()
        current: dict[int, dict[int, int]] = defaultdict(dict)
        rows = through.objects.filter(**{f"{source}__organisation": self.org})
        for pk, source_id, target_id in rows.values_list("pk", f"{source}_id", f"{target}_id"):
            current[source_id][target_id] = pk
        return current

    @staticmethod
    def set_links(model, name: str, wanted: list[tuple[int, set[int]]], current: dict) -> None:
        relation = model._meta.get_field(name)
        through = relation.remote_field.through
        source, target = relation.m2m_field_name(), relation.m2m_reverse_field_name()
        add, remove = [], []
        for source_id, targets in wanted:
            have = current.get(source_id, {})
            add += [(source_id, t) for t in sorted(targets - set(have))]
            remove += [link for t, link in have.items() if t not in targets]
        for chunk in _chunks(remove):
            through.objects.filter(pk__in=chunk).delete()
        if add:
            # A plain executemany: link rows need no model instances, and a fresh load inserts
            # about two thousand of them (bulk_create would spend most of the load building objects).
            quote = connection.ops.quote_name
            columns = [through._meta.get_field(name).column for name in (source, target)]
            table = quote(through._meta.db_table)
            # Only quoted identifiers from the model's own metadata go into the string; values are parameters.
            sql = f"INSERT INTO {table} ({quote(columns[0])}, {quote(columns[1])}) VALUES (%s, %s)"  # noqa: S608  # nosec B608
            with connection.cursor() as cursor:
                cursor.executemany(sql, add)


def _framework_values(spec: dict) -> dict:
    return {name: spec.get(name) or "" for name in ("edition", "name", "url", "licence", "notice")}


def _control_values(spec: dict) -> dict:
    return {
        "title": spec["title"],
        "objective": spec["objective"],
        "guidance": spec.get("guidance") or "",
        "evidence_hint": spec.get("evidence_hint") or "",
        "domain": spec["domain"],
        "practice": spec["practice"],
        "applies_when": spec["applies_when"],
        "review_cadence_days": spec.get("review_cadence_days") or 365,
        "concerns": list(spec.get("concerns") or []),
    }


def _threat_values(spec: dict) -> dict:
    return {
        "title": spec["title"],
        "description": spec.get("description") or "",
        "domain": spec["domain"],
        "surface": spec["surface"],
        "concerns": list(spec.get("concerns") or []),
    }


def _scenario_values(spec: dict) -> dict:
    return {
        "title": spec["title"],
        "description": spec["description"],
        "hostile_intent": spec["hostile_intent"],
        "harm_in_benign_use": spec["harm_in_benign_use"],
        "expected_domain": spec["expected_domain"],
        "rationale": spec.get("rationale") or "",
    }


def _write(document: dict, *, organisation: Organisation | None) -> ImportReport:
    with transaction.atomic():
        report = _Writer(document, organisation).run()
        if organisation is None and report.changed:
            _record_release(report)
        return report


def _record_release(report: ImportReport) -> None:
    """A release that changes the built-in library is an event in every organisation's trail.

    Every organisation reads the built-in rows (its library pages, its plans and statements), so
    a release changes what each one sees: its auditors learn when and how much, and what a page
    kept under the organisation's data version (audit.versions) is not shown again after it.
    (An organisation's own import records its rows one by one: governance/services/library.py.)"""
    for organisation in Organisation.objects.order_by("pk"):
        record(
            organisation=organisation,
            actor=None,
            action="governance.library.release_loaded",
            object_type="governance.library",
            object_id="builtin",
            object_repr="built-in library",
            after={"counts": report.as_dict()},
        )
