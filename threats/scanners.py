"""Findings from red-team scanners' own result files (docs/red-team-import.md): garak's JSONL
report and promptfoo's JSON results output.

Same shape as the CSV import (findings_csv.py): the whole file is checked first, every problem is
reported as `line N, field: reason` (promptfoo: `result N, field: reason`), and the rows are
written by `services.findings_import` only when there is none. Each failing probe (garak) or test
case (promptfoo) becomes one finding, mapped through threats/scanner_map.yaml; a check missing
from the table is kept and flagged `unmapped`. Each row carries a `natural_key` (sha256 of the
scanner, the check, the prompt and the output) so importing the same results again adds nothing.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.db.models import Q

from core.choices import Domain
from governance.models import FrameworkItem, Threat

from .findings_csv import Checked
from .models import Scanner, Severity

MAX_BYTES = 10 * 1024 * 1024  # a garak report of a full run is a few MB
MAX_FINDINGS = 1000
MAX_ERRORS = 200  # past this, a file is not worth listing line by line
MAX_TEXT = 20000  # the model's prompt and output size
MAP_FILE = Path(__file__).resolve().parent / "scanner_map.yaml"
HIT = 0.5  # garak detectors score 0 (passed) … 1 (failed); garak counts ≥ 0.5 as a hit
PROMPTFOO_ERROR = 2  # promptfoo's ResultFailureReason.ERROR: the call failed, nothing was tested
INTENT = {  # the intent triage's answers each domain of the mapping table stands for
    Domain.SECURITY: (True, False),
    Domain.SAFETY: (False, True),
    Domain.BOTH: (True, True),
}


@functools.cache
def scanner_map() -> dict[str, Any]:
    with MAP_FILE.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def map_entry(scanner: str, check: str) -> dict[str, Any] | None:
    """The most specific entry of the mapping table for a garak probe (`module.Class`, then
    `module`) or a promptfoo plugin (`family:name`, then `family`)."""
    table = scanner_map()["garak"] if scanner == Scanner.GARAK else scanner_map()["promptfoo"]["plugins"]
    separator = "." if scanner == Scanner.GARAK else ":"
    parts = check.split(separator)
    for n in range(len(parts), 0, -1):
        entry = table.get(separator.join(parts[:n]))
        if entry is not None:
            return entry
    return None


def strategy_items(strategy: str) -> list[str]:
    strategies = scanner_map()["promptfoo"]["strategies"]
    entry = strategies.get(strategy) or strategies.get(strategy.split(":")[0])
    return list(entry["items"]) if entry else []


def natural_key(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class Failure:
    """One failing check, before it is mapped to the library."""

    check: str
    prompt: str
    output: str
    reproduction: str
    items: list[str] = field(default_factory=list)
    severity: str = ""  # the scanner's own, when it gives one
    strategy: str = ""


class Library:
    """The organisation's threats and the built-in framework items the table names, loaded once."""

    def __init__(self, organisation):
        self.threats = {t.ref.upper(): t for t in Threat.objects.for_org(organisation).active()}
        keys = {item for e in _entries() for item in e.get("items", [])}
        keys |= {item for e in scanner_map()["promptfoo"]["strategies"].values() for item in e["items"]}
        wanted = Q(pk__in=[])
        for key in keys:
            framework, ref = key.split(":", 1)
            wanted |= Q(framework__key=framework, ref=ref)
        self.items = {
            f"{i.framework.key}:{i.ref}": i
            for i in FrameworkItem.objects.filter(wanted, framework__organisation__isnull=True).select_related(
                "framework"
            )
        }


def _entries():
    yield from scanner_map()["garak"].values()
    yield from scanner_map()["promptfoo"]["plugins"].values()


def to_row(scanner: str, failure: Failure, library: Library) -> dict[str, Any]:
    """A finding's data (the service's `data` plus the `framework_items` to link)."""
    entry = map_entry(scanner, failure.check)
    check = f"{failure.check} / {failure.strategy}" if failure.strategy else failure.check
    if entry is None:
        title, severity, domain, threat, items = check, str(Severity.MEDIUM), Domain.SECURITY, None, []
    else:
        title = f"{check}: {entry['title']}"
        severity, domain = str(entry["severity"]), Domain(entry["domain"])
        threat = library.threats.get(entry.get("threat", "").upper())
        items = list(entry.get("items", []))
    if failure.severity in Severity.values:
        severity = failure.severity
    items += [i for i in failure.items if i not in items]
    hostile, benign = INTENT[domain]
    reproduction = failure.reproduction
    for name, text in (("prompt", failure.prompt), ("output", failure.output)):
        if len(text) > MAX_TEXT:
            reproduction += f"\nThe {name} had {len(text)} characters; its first {MAX_TEXT} are kept."
    return {
        "title": f"{Scanner(scanner).label} {title}"[:200],
        "severity": severity,
        "hostile_intent": hostile,
        "harm_in_benign_use": benign,
        "domain": domain.value,
        "reproduction": reproduction[:8000],
        "prompt": failure.prompt[:MAX_TEXT],
        "output": failure.output[:MAX_TEXT],
        "threat": threat,
        "scanner": scanner,
        "scanner_check": check[:200],
        "unmapped": entry is None,
        "natural_key": natural_key(scanner, check, failure.prompt, failure.output),
        "framework_items": [library.items[i] for i in items if i in library.items],
    }


def _decode(data: bytes, out: Checked) -> str | None:
    if len(data) > MAX_BYTES:
        out.errors.append(f"line 1, file: larger than {MAX_BYTES // (1024 * 1024)} MB")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        out.errors.append(f"line 1, file: not UTF-8 text (byte {exc.start})")
        return None
    if not text.strip():
        out.errors.append("line 1, file: the file is empty")
        return None
    return text


def _json(text: str) -> tuple[Any, str | None]:
    try:
        return json.loads(text), None
    except RecursionError:
        return None, "nested too deeply"
    except ValueError as exc:
        return None, str(exc)[:120]


def unstorable(value: Any) -> str | None:
    """Why a parsed JSON value cannot be stored as text (a NUL character, an unpaired surrogate
    from a `\\ud800` escape), or None. Walks the value without recursion: nesting is unbounded."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            if "\x00" in item:
                return "holds a NUL character"
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return "holds an unpaired surrogate (\\ud800–\\udfff), not text"
    return None


def _text(value: Any) -> str | None:
    """A prompt or output as garak and promptfoo write them: a string, a message (`{"text": …}`),
    a conversation (`{"turns": [{"role", "content"}]}`), or a list of these. None if unreadable."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        if isinstance(value.get("turns"), list):
            parts = []
            for turn in value["turns"]:
                if not isinstance(turn, dict):
                    return None
                content = _text(turn.get("content"))
                if content is None:
                    return None
                parts.append((str(turn.get("role", "")), content))
            if len(parts) == 1:
                return parts[0][1]
            return "\n\n".join(f"[{role}]\n{content}" for role, content in parts)
        if "text" in value:
            return _text(value["text"])
        return None
    if isinstance(value, list):
        texts = [_text(v) for v in value]
        return None if any(t is None for t in texts) else "\n".join(t for t in texts if t)
    return None


# --- garak ------------------------------------------------------------------------------------


@dataclass
class _Probe:
    hits: int = 0
    attempts: int = 0
    example: tuple[str, str, list[str]] | None = None  # prompt, output, detectors that hit
    evals: list[str] = field(default_factory=list)
    failed_eval: bool = False
    goal: str = ""


def _number_list(value: Any) -> bool:
    return isinstance(value, list) and all(
        v is None or (isinstance(v, int | float) and not isinstance(v, bool)) for v in value
    )


def _garak_attempt(entry: dict, line: int, probes: dict[str, _Probe], errors: list[str]) -> None:
    status = entry.get("status")
    if not isinstance(status, int) or isinstance(status, bool):
        errors.append(f"line {line}, status: an attempt needs a status (0, 1 or 2)")
        return
    if status != 2:  # not evaluated yet: nothing to say about it
        return
    probe = entry.get("probe_classname")
    if not isinstance(probe, str) or not probe.strip() or len(probe) > 150:
        errors.append(f"line {line}, probe_classname: an evaluated attempt names its probe")
        return
    results = entry.get("detector_results", {})
    if not isinstance(results, dict) or not all(isinstance(k, str) and _number_list(v) for k, v in results.items()):
        errors.append(f"line {line}, detector_results: expected detector names with lists of scores")
        return
    prompt = _text(entry.get("prompt"))
    outputs = entry.get("outputs", [])
    if not isinstance(outputs, list):
        errors.append(f"line {line}, outputs: expected a list")
        return
    texts = [_text(o) for o in outputs]
    if prompt is None or any(t is None for t in texts):
        errors.append(f"line {line}, prompt: not a text, message or conversation")
        return
    state = probes.setdefault(probe.strip(), _Probe())
    state.attempts += 1
    if isinstance(entry.get("goal"), str) and not state.goal:
        state.goal = entry["goal"][:500]
    for index, text in enumerate(texts):
        hit_by = sorted(d for d, scores in results.items() if index < len(scores) and (scores[index] or 0) >= HIT)
        if hit_by:
            state.hits += 1
            if state.example is None:
                state.example = (prompt, text or "", hit_by)
            break


def _garak_eval(entry: dict, line: int, probes: dict[str, _Probe], errors: list[str]) -> None:
    probe, detector = entry.get("probe"), entry.get("detector")
    passed = entry.get("passed")
    total = entry.get("total_evaluated", entry.get("total"))
    fails = entry.get("fails")
    if not isinstance(probe, str) or not probe.strip() or len(probe) > 150 or not isinstance(detector, str):
        errors.append(f"line {line}, probe: an eval names its probe and detector")
        return
    counts = [passed, total] + ([fails] if fails is not None else [])
    if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in counts):
        errors.append(f"line {line}, passed: an eval counts passed and total as whole numbers")
        return
    failed = fails if isinstance(fails, int) else int(total or 0) - int(passed or 0)
    state = probes.setdefault(probe.strip(), _Probe())
    state.evals.append(f"{detector}: {failed} of {total} failed")
    state.failed_eval |= failed > 0


def check_garak(data: bytes, organisation) -> Checked:
    out = Checked()
    text = _decode(data, out)
    if text is None:
        return out
    probes: dict[str, _Probe] = {}
    seen_entries = 0
    for line, raw in enumerate(text.splitlines(), start=1):
        if len(out.errors) >= MAX_ERRORS:
            out.errors.append(f"line {line}, file: more than {MAX_ERRORS} problems; stopped checking")
            break
        if not raw.strip():
            continue
        entry, problem = _json(raw)
        if problem is not None:
            out.errors.append(f"line {line}, JSON: {problem}")
            continue
        if not isinstance(entry, dict) or not isinstance(entry.get("entry_type"), str):
            out.errors.append(f"line {line}, entry_type: each line of a garak report is an object with an entry_type")
            continue
        if problem := unstorable(entry):
            out.errors.append(f"line {line}, JSON: {problem}")
            continue
        seen_entries += 1
        if entry["entry_type"] == "attempt":
            _garak_attempt(entry, line, probes, out.errors)
        elif entry["entry_type"] == "eval":
            _garak_eval(entry, line, probes, out.errors)
        # Other entry types (start_run setup, init, completion, digest…) describe the run.
    if not seen_entries and not out.errors:
        out.errors.append("line 1, file: no garak report entries")
    if out.errors:
        return out
    library = Library(organisation)
    for name, probe in probes.items():
        if not (probe.failed_eval or probe.hits):
            continue
        prompt, output, detectors = probe.example or ("", "", [])
        lines = [f"garak probe {name}."]
        if probe.evals:
            lines.append("Evaluation: " + "; ".join(probe.evals) + ".")
        if probe.attempts:
            lines.append(f"{probe.hits} of {probe.attempts} evaluated attempts hit.")
        if detectors:
            lines.append("The example below was flagged by " + ", ".join(detectors) + ".")
        if probe.goal:
            lines.append(f"Probe goal: {probe.goal}")
        out.rows.append(to_row(Scanner.GARAK, Failure(name, prompt, output, "\n".join(lines)), library))
    return _bounded(out)


# --- promptfoo --------------------------------------------------------------------------------


def _promptfoo_result(result: Any, n: int, errors: list[str]) -> Failure | None:
    where = f"result {n}"
    if not isinstance(result, dict):
        errors.append(f"{where}, result: expected an object")
        return None
    if problem := unstorable(result):
        errors.append(f"{where}, text: {problem}")
        return None
    success = result.get("success")
    if not isinstance(success, bool):
        errors.append(f"{where}, success: expected true or false")
        return None
    if success or result.get("failureReason") == PROMPTFOO_ERROR:
        return None  # passed, or the provider call failed (nothing was tested)
    metadata: dict = {}
    for source in (result.get("testCase"), result):
        meta = source.get("metadata") if isinstance(source, dict) else None
        if meta is not None and not isinstance(meta, dict):
            errors.append(f"{where}, metadata: expected an object")
            return None
        metadata.update(meta or {})
    plugin, strategy = metadata.get("pluginId", ""), metadata.get("strategyId", "")
    if not isinstance(plugin, str) or not isinstance(strategy, str) or len(plugin) > 100 or len(strategy) > 80:
        errors.append(f"{where}, metadata: pluginId and strategyId are short texts")
        return None
    prompt_field = result.get("prompt")
    prompt = _text(prompt_field.get("raw") if isinstance(prompt_field, dict) else prompt_field)
    response = result.get("response")
    output: str | None = ""
    if isinstance(response, dict):
        value = response.get("output")
        output = _text(value) if not isinstance(value, dict | list) else json.dumps(value, ensure_ascii=False)
    elif response is not None:
        errors.append(f"{where}, response: expected an object")
        return None
    if prompt is None or output is None:
        errors.append(f"{where}, prompt: not a text")
        return None
    grading = result.get("gradingResult")
    reason = grading.get("reason") if isinstance(grading, dict) else None
    test = result.get("testCase")
    description = test.get("description") if isinstance(test, dict) else None
    check = plugin or (description if isinstance(description, str) and description.strip() else "test case")
    lines = [f"promptfoo test case {result.get('testIdx', n)}" + (f", plugin {plugin}" if plugin else "") + "."]
    if strategy:
        lines.append(f"Strategy: {strategy}.")
    if isinstance(metadata.get("goal"), str):
        lines.append(f"Goal: {metadata['goal'][:500]}")
    if isinstance(reason, str) and reason:
        lines.append(f"Grader: {reason[:2000]}")
    severity = metadata.get("severity")
    return Failure(
        check=check.strip()[:150],
        prompt=prompt,
        output=output,
        reproduction="\n".join(lines),
        items=strategy_items(strategy) if strategy else [],
        severity=severity.lower() if isinstance(severity, str) else "",
        strategy=strategy if strategy and strategy != "basic" else "",
    )


def check_promptfoo(data: bytes, organisation) -> Checked:
    out = Checked()
    text = _decode(data, out)
    if text is None:
        return out
    document, problem = _json(text)
    if problem is not None:
        out.errors.append(f"line 1, JSON: {problem}")
        return out
    results = document.get("results") if isinstance(document, dict) else None
    rows = results.get("results") if isinstance(results, dict) else None
    if not isinstance(rows, list):
        out.errors.append(
            "line 1, results: not a promptfoo results file (expected `results.results`, a list; "
            "write it with `promptfoo eval --output results.json`)"
        )
        return out
    failures = []
    for n, result in enumerate(rows, start=1):
        if len(out.errors) >= MAX_ERRORS:
            out.errors.append(f"result {n}, file: more than {MAX_ERRORS} problems; stopped checking")
            break
        failure = _promptfoo_result(result, n, out.errors)
        if failure is not None:
            failures.append(failure)
    if out.errors:
        return out
    library = Library(organisation)
    out.rows = [to_row(Scanner.PROMPTFOO, f, library) for f in failures]
    return _bounded(out)


def _bounded(out: Checked) -> Checked:
    """One row per natural key (a result repeated in the file is one finding), at most MAX_FINDINGS."""
    unique = {row["natural_key"]: row for row in out.rows}
    out.rows = list(unique.values())
    if len(out.rows) > MAX_FINDINGS:
        out.errors.append(f"line 1, file: more than {MAX_FINDINGS} failing checks; split the run")
        out.rows = []
    return out


CHECKERS = {Scanner.GARAK: check_garak, Scanner.PROMPTFOO: check_promptfoo}
