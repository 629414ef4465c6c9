"""CycloneDX AI-BOM export and import (docs/components.md has the mapping).

Export: written with cyclonedx-python-lib in CycloneDX 1.7 JSON. Models are
`machine-learning-model` components, datasets `data` components; tools, MCP servers and
third-party services are `services` (they are called, not shipped), told apart by the
`bastion:kind` property. What CycloneDX has no field for goes in `bastion:*` properties. The
library does not write `modelCard` yet, so a model card is an external reference of type
`model-card`.

Import: `check()` reads the whole file and reports every problem with its JSON path (size,
nesting, JSON syntax, the CycloneDX schema, then our own rules), writing nothing;
`components.services.bom_import` applies a clean result in one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from cyclonedx.contrib.license.factories import LicenseFactory
from cyclonedx.model import ExternalReference, ExternalReferenceType, Property, XsUri
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component as CdxComponent
from cyclonedx.model.component import ComponentType
from cyclonedx.model.contact import OrganizationalEntity
from cyclonedx.model.license import DisjunctiveLicense
from cyclonedx.model.service import Service
from cyclonedx.output import make_outputter
from cyclonedx.schema import OutputFormat, SchemaVersion

from governance.models.inventory import Provenance

from .models import Component, DatasetUse, Kind

SPEC = SchemaVersion.V1_7
# Versions the import accepts: ML models entered CycloneDX in 1.5.
IMPORTABLE = {"1.5": SchemaVersion.V1_5, "1.6": SchemaVersion.V1_6, "1.7": SchemaVersion.V1_7}
MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 32  # nested JSON containers; a BOM of ours is about 6 deep
MAX_ENTRIES = 1000  # models, datasets and services together
MAX_ITEMS = 10_000  # every component and service, before the schema check (libraries count here)
MAX_PROBLEMS = 200  # shown; the count says how many more
MAX_SCHEMA_ERRORS = 1000

P = "bastion:"
KIND = P + "kind"
OWNER_TEAM = P + "owner-team"
APPROVAL = P + "approval"
PROVENANCE = P + "model:provenance"
WEIGHTS = P + "model:weights-location"
MODEL_CARD = P + "model:card"
PERSONAL = P + "dataset:personal-data"
USE = P + "dataset:use"
CAN_CHANGE = P + "tool:can-change"
CONFIRMATION = P + "tool:requires-confirmation"
SCOPE = P + "mcp:scope"
ENDPOINT = P + "endpoint"
SYSTEM_REF = P + "system:"
SERVICE_KINDS = {Kind.TOOL.value, Kind.MCP_SERVER.value, Kind.SERVICE.value}


# Where each column of ours lives in a BOM, to point an import problem at the right place.
_LOCATIONS = {
    "name": "name",
    "description": "description",
    "release": "version",
    "licence": "licenses",
    "endpoint": "endpoints",
    "model_card_url": "externalReferences model-card",
    "owner_team": f"property {OWNER_TEAM}",
    "provenance": f"property {PROVENANCE}",
    "weights_location": f"property {WEIGHTS}",
    "personal_data": f"property {PERSONAL}",
    "dataset_uses": f"property {USE}",
    "can_change": f"property {CAN_CHANGE}",
    "requires_confirmation": f"property {CONFIRMATION}",
    "scopes": f"property {SCOPE}",
}


def location(column: str, kind: str) -> str:
    """Where `column` of a component of `kind` is written in a CycloneDX BOM."""
    if column == "supplier":
        return "supplier.name" if kind in (Kind.MODEL, Kind.DATASET) else "provider.name"
    return _LOCATIONS.get(column, column)


# --- Export -------------------------------------------------------------------------------------


def _ref(component: Component) -> str:
    return f"{P}component:{component.pk}"


def _system_ref(system) -> str:
    return f"{SYSTEM_REF}{system.pk}"


def _properties(component: Component) -> list[Property]:
    props = [Property(name=KIND, value=component.kind), Property(name=OWNER_TEAM, value=component.owner_team.name)]
    if component.needs_approval:
        props.append(Property(name=APPROVAL, value=component.approval))
    kind = component.kind
    if kind == Kind.MODEL:
        if component.provenance:
            props.append(Property(name=PROVENANCE, value=component.provenance))
        if component.weights_location:
            props.append(Property(name=WEIGHTS, value=component.weights_location))
        if component.model_card_url and str(XsUri(component.model_card_url)) != component.model_card_url:
            props.append(Property(name=MODEL_CARD, value=component.model_card_url))  # kept as typed
    elif kind == Kind.DATASET:
        props.append(Property(name=PERSONAL, value="true" if component.personal_data else "false"))
        props += [Property(name=USE, value=use) for use in component.dataset_uses]
    elif kind == Kind.TOOL:
        props.append(Property(name=CAN_CHANGE, value=component.can_change))
        props.append(Property(name=CONFIRMATION, value="true" if component.requires_confirmation else "false"))
    elif kind == Kind.MCP_SERVER:
        props += [Property(name=SCOPE, value=scope) for scope in component.scope_list()]
    if component.endpoint and not _is_url(component.endpoint):
        props.append(Property(name=ENDPOINT, value=component.endpoint))
    return props


def _is_url(value: str) -> bool:
    """A URL CycloneDX keeps as we stored it (else it goes in a property, so an import of the
    export compares equal and does not count as a change)."""
    scheme, sep, _rest = value.partition("://")
    return bool(sep) and scheme in {"http", "https", "ws", "wss"} and str(XsUri(value)) == value


def _licences(component: Component) -> list:
    """An SPDX id or expression when the text is one as written; otherwise a named licence."""
    if not component.licence:
        return []
    found = LicenseFactory().make_from_string(component.licence)
    if getattr(found, "id", None) not in (None, component.licence):
        found = DisjunctiveLicense(name=component.licence)  # "mit" stays "mit", as typed
    return [found]


def _supplier(component: Component) -> OrganizationalEntity | None:
    return OrganizationalEntity(name=component.supplier) if component.supplier else None


def _as_cdx(component: Component) -> CdxComponent | Service:
    common: dict[str, Any] = {
        "name": component.name,
        "bom_ref": _ref(component),
        "version": component.release or None,
        "description": component.description or None,
        "properties": _properties(component),
    }
    if component.kind in (Kind.MODEL, Kind.DATASET):
        references = []
        if component.model_card_url and str(XsUri(component.model_card_url)) == component.model_card_url:
            references.append(
                ExternalReference(type=ExternalReferenceType.MODEL_CARD, url=XsUri(component.model_card_url))
            )
        kind = ComponentType.MACHINE_LEARNING_MODEL if component.kind == Kind.MODEL else ComponentType.DATA
        return CdxComponent(
            type=kind,
            supplier=_supplier(component),
            licenses=_licences(component),
            external_references=references,
            **common,
        )
    endpoints = [XsUri(component.endpoint)] if component.endpoint and _is_url(component.endpoint) else []
    return Service(provider=_supplier(component), endpoints=endpoints, licenses=_licences(component), **common)


def _add_system(bom: Bom, system, components: Iterable[Component], parent: CdxComponent) -> None:
    parts = []
    for component in components:
        part = _as_cdx(component)
        (bom.components if isinstance(part, CdxComponent) else bom.services).add(part)
        parts.append(part)
    bom.register_dependency(parent, parts)


def _system_component(system) -> CdxComponent:
    return CdxComponent(
        type=ComponentType.APPLICATION,
        name=system.name,
        bom_ref=_system_ref(system),
        description=system.description or None,
        properties=[Property(name=OWNER_TEAM, value=system.owner_team.name)],
    )


def system_bom(system, components: Iterable[Component]) -> Bom:
    """The AI-BOM of one system: the system is the BOM's subject; its active components."""
    bom = Bom()
    root = _system_component(system)
    bom.metadata.component = root
    _add_system(bom, system, components, root)
    return bom


def organisation_bom(organisation, systems: Iterable, components: dict[int, list[Component]]) -> Bom:
    """Every active system of the organisation as an `application` component with its parts."""
    bom = Bom()
    root = CdxComponent(
        type=ComponentType.APPLICATION, name=f"{organisation.name} AI systems", bom_ref=f"{P}organisation"
    )
    bom.metadata.component = root
    system_parts = []
    for system in systems:
        part = _system_component(system)
        bom.components.add(part)
        system_parts.append(part)
        _add_system(bom, system, components.get(system.pk, []), part)
    bom.register_dependency(root, system_parts)
    return bom


def to_json(bom: Bom) -> str:
    return make_outputter(bom, OutputFormat.JSON, SPEC).output_as_string(indent=2)


# --- Import -------------------------------------------------------------------------------------


@dataclass
class Entry:
    """One model, dataset, tool, MCP server or service read from the file."""

    path: str
    kind: str
    name: str
    fields: dict[str, Any]  # only what the file says; the import leaves the rest alone
    owner_team: str | None = None


@dataclass
class Checked:
    entries: list[Entry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    skipped: int = 0  # components of types we do not keep (libraries, files…)
    total_problems: int = 0

    def problem(self, path: str, message: str) -> None:
        self.total_problems += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(f"{path}: {message}")

    @property
    def ok(self) -> bool:
        return self.total_problems == 0


def _too_deep(value: Any) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return False


def parse(data: bytes, out: Checked) -> dict | None:
    """The file as JSON, or None with the reason in `out`."""
    if len(data) > MAX_BYTES:
        out.problem("$", f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        out.problem("$", "not UTF-8 text")
        return None
    try:
        document = json.loads(text)
    except RecursionError:
        out.problem("$", f"nested deeper than {MAX_DEPTH} levels")
        return None
    except ValueError as exc:
        out.problem("$", f"not JSON ({exc})")
        return None
    if not isinstance(document, dict):
        out.problem("$", "a CycloneDX BOM is a JSON object")
        return None
    if _too_deep(document):
        out.problem("$", f"nested deeper than {MAX_DEPTH} levels")
        return None
    return document


def _schema_problems(document: dict, out: Checked) -> None:
    if document.get("bomFormat") != "CycloneDX":
        out.problem("$.bomFormat", "must be “CycloneDX”")
        return
    spec = document.get("specVersion")
    if spec not in IMPORTABLE:
        out.problem("$.specVersion", f"“{spec}” is not supported; use {', '.join(sorted(IMPORTABLE))}")
        return
    items = sum(1 for _ in _walk(_list(document, "components"), "", "components")) + sum(
        1 for _ in _walk(_list(document, "services"), "", "services")
    )
    if items > MAX_ITEMS:
        out.problem("$", f"more than {MAX_ITEMS} components and services")
        return
    # Imported here, not at the top: the validator pulls in jsonschema, whose format checks build
    # about forty parsers on import (2-3 s of CPU). At module level every process that loads the
    # URLs paid that (each web and Celery worker, each test process), not only an import.
    from cyclonedx.validation.json import JsonStrictValidator

    errors = JsonStrictValidator(IMPORTABLE[spec]).validate_str(json.dumps(document), all_errors=True) or []
    for error in errors:
        if out.total_problems >= MAX_SCHEMA_ERRORS:
            out.problem("$", f"more than {MAX_SCHEMA_ERRORS} schema errors; the check stopped here")
            break
        out.problem(error.data.json_path, error.data.message[:300])


def _list(container: Any, key: str) -> list:
    """`container[key]` when it is a list of objects (what the schema will require), else []:
    for counting before the schema check has run."""
    value = container.get(key) if isinstance(container, dict) else None
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _props(item: dict) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for prop in item.get("properties") or []:
        found.setdefault(prop.get("name", ""), []).append(prop.get("value", ""))
    return found


def _one(props: dict[str, list[str]], name: str) -> str | None:
    values = props.get(name)
    return values[-1] if values else None


def _licence(item: dict) -> str | None:
    for entry in item.get("licenses") or []:
        if "expression" in entry:
            return entry["expression"]
        licence = entry.get("license") or {}
        if licence.get("id") or licence.get("name"):
            return licence.get("id") or licence.get("name")
    return None


def _walk(items: list, path: str, key: str) -> Iterator[tuple[str, dict]]:
    for index, item in enumerate(items or []):
        here = f"{path}[{index}]"
        yield here, item
        yield from _walk(_list(item, key), f"{here}.{key}", key)


def _bool(value: str, path: str, out: Checked) -> bool | None:
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    out.problem(path, f"“{value[:40]}” is not true or false")
    return None


def _common(item: dict, kind: str, path: str, props: dict, out: Checked) -> Entry:
    fields: dict[str, Any] = {}
    if "description" in item:
        fields["description"] = item["description"]
    if "version" in item:
        fields["release"] = item["version"]
    licence = _licence(item)
    if licence is not None:
        fields["licence"] = licence
    if (endpoint := _one(props, ENDPOINT)) is not None:
        fields["endpoint"] = endpoint
    return Entry(
        path=path, kind=kind, name=str(item.get("name", "")).strip(), fields=fields, owner_team=_one(props, OWNER_TEAM)
    )


def _component_entry(item: dict, path: str, out: Checked) -> Entry | None:
    kind = {"machine-learning-model": Kind.MODEL, "data": Kind.DATASET}.get(item.get("type", ""))
    if kind is None:
        ref = str(item.get("bom-ref", ""))
        if item.get("type") == "application" and ref.startswith(SYSTEM_REF):
            out.problem(path, "this is an organisation-wide BOM; import the BOM of one system")
        else:
            out.skipped += 1
        return None
    props = _props(item)
    entry = _common(item, kind, path, props, out)
    supplier = (item.get("supplier") or {}).get("name") or item.get("publisher")
    if supplier:
        entry.fields["supplier"] = supplier
    if kind == Kind.MODEL:
        if (provenance := _one(props, PROVENANCE)) is not None:
            if provenance not in Provenance.values:
                out.problem(f"{path}.properties", f"{PROVENANCE} must be one of {', '.join(Provenance.values)}")
            entry.fields["provenance"] = provenance
        if (weights := _one(props, WEIGHTS)) is not None:
            entry.fields["weights_location"] = weights
        for reference in item.get("externalReferences") or []:
            if reference.get("type") == "model-card":
                entry.fields["model_card_url"] = reference.get("url", "")
        if (card := _one(props, MODEL_CARD)) is not None:
            entry.fields["model_card_url"] = card
    else:
        personal = _one(props, PERSONAL)
        if personal is not None and (value := _bool(personal, f"{path}.properties", out)) is not None:
            entry.fields["personal_data"] = value
        if USE in props:
            uses = props[USE]
            wrong = [use for use in uses if use not in DatasetUse.values]
            if wrong:
                out.problem(f"{path}.properties", f"{USE} must be one of {', '.join(DatasetUse.values)}")
            else:
                entry.fields["dataset_uses"] = [use for use in DatasetUse.values if use in uses]
    return entry


def _service_entry(item: dict, path: str, out: Checked) -> Entry | None:
    props = _props(item)
    kind = _one(props, KIND) or Kind.SERVICE
    if kind not in SERVICE_KINDS:
        out.problem(f"{path}.properties", f"{KIND} of a service must be one of {', '.join(sorted(SERVICE_KINDS))}")
        return None
    entry = _common(item, kind, path, props, out)
    supplier = (item.get("provider") or {}).get("name")
    if supplier:
        entry.fields["supplier"] = supplier
    endpoints = item.get("endpoints") or []
    if endpoints:
        entry.fields["endpoint"] = endpoints[0]
    if kind == Kind.TOOL:
        if (can_change := _one(props, CAN_CHANGE)) is not None:
            entry.fields["can_change"] = can_change
        confirmation = _one(props, CONFIRMATION)
        if confirmation is not None and (value := _bool(confirmation, f"{path}.properties", out)) is not None:
            entry.fields["requires_confirmation"] = value
    if kind == Kind.MCP_SERVER and SCOPE in props:
        entry.fields["scopes"] = "\n".join(props[SCOPE])
    return entry


def check(data: bytes) -> Checked:
    """Read a CycloneDX JSON BOM: the entries to write, or every problem found (then nothing is)."""
    out = Checked()
    document = parse(data, out)
    if document is None:
        return out
    _schema_problems(document, out)
    if not out.ok:
        return out  # our own reading relies on the schema's types
    for path, item in _walk(document.get("components") or [], "$.components", "components"):
        if (entry := _component_entry(item, path, out)) is not None:
            out.entries.append(entry)
    for path, item in _walk(document.get("services") or [], "$.services", "services"):
        if (entry := _service_entry(item, path, out)) is not None:
            out.entries.append(entry)
    if len(out.entries) > MAX_ENTRIES:
        out.problem("$", f"more than {MAX_ENTRIES} models, datasets and services")
    seen: dict[tuple[str, str], str] = {}
    for entry in out.entries:
        key = (entry.kind, entry.name.lower())
        if key in seen:
            out.problem(entry.path, f"the same {entry.kind} “{entry.name}” is listed twice (first at {seen[key]})")
        seen.setdefault(key, entry.path)
    return out
