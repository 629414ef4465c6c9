"""Signed checkpoints: the head of each chain, anchored outside the database.

After a chain check passes (daily, by beat) its head (organisation, sequence number, hash, time)
is signed with the current HMAC key and appended as one JSON line to
`AUDIT_CHECKPOINT_DIR/org-<id>.jsonl`, and written to the log (logger `bastion.audit.checkpoint`).
The database credentials cannot touch that file; make the directory append-only (`chattr +a`) or
ship the log to a store the database administrators cannot rewrite. Verification then fails
when the chain no longer reaches the latest checkpoint or differs from it.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from accounts.models import Organisation

from . import keys

logger = logging.getLogger("bastion.audit.checkpoint")


class BadCheckpoint(Exception):
    """The checkpoint file is unreadable or a line's signature does not match."""


@dataclass(frozen=True)
class Checkpoint:
    organisation: int
    seq: int
    hash: str
    at: str
    key_id: str
    signature: str = ""

    def body(self) -> str:
        data = asdict(self)
        del data["signature"]
        return json.dumps(data, sort_keys=True, separators=(",", ":"))

    def line(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))


def path_for(organisation: Organisation) -> Path:
    return Path(settings.AUDIT_CHECKPOINT_DIR) / f"org-{organisation.pk}.jsonl"


def write(organisation: Organisation, *, seq: int, hash: str) -> Checkpoint:
    """Append a signed checkpoint of the chain head (seq, hash) and log it."""
    unsigned = Checkpoint(
        organisation=organisation.pk,
        seq=seq,
        hash=hash,
        at=timezone.now().isoformat(timespec="seconds"),
        key_id=keys.current_key_id(),
    )
    checkpoint = Checkpoint(**{**asdict(unsigned), "signature": keys.mac(unsigned.key_id, unsigned.body())})
    path = path_for(organisation)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:  # append only: earlier lines are never rewritten
        out.write(checkpoint.line() + "\n")
        out.flush()
        os.fsync(out.fileno())
    logger.info("audit checkpoint %s", checkpoint.line())
    return checkpoint


def latest(organisation: Organisation) -> Checkpoint | None:
    """The newest checkpoint of the organisation, after checking every line's signature."""
    path = path_for(organisation)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise BadCheckpoint(f"the checkpoint file {path} cannot be read ({exc.strerror})") from None
    newest = None
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        checkpoint = _parse(raw, path, number)
        if checkpoint.organisation != organisation.pk:
            raise BadCheckpoint(f"line {number} of {path} is for another organisation")
        if newest is not None and checkpoint.seq < newest.seq:
            raise BadCheckpoint(f"line {number} of {path} goes back to #{checkpoint.seq} after #{newest.seq}")
        newest = checkpoint
    return newest


def _parse(raw: str, path: Path, number: int) -> Checkpoint:
    try:
        data = json.loads(raw)
        checkpoint = Checkpoint(
            organisation=int(data["organisation"]),
            seq=int(data["seq"]),
            hash=str(data["hash"]),
            at=str(data["at"]),
            key_id=str(data["key_id"]),
            signature=str(data["signature"]),
        )
        expected = keys.mac(checkpoint.key_id, checkpoint.body())
    except keys.UnknownKey as exc:
        unknown = exc.args[0]
        raise BadCheckpoint(f"line {number} of {path} has key {unknown!r}, which is not configured") from None
    except (ValueError, KeyError, TypeError):
        raise BadCheckpoint(f"line {number} of {path} is not a checkpoint") from None
    if not hmac.compare_digest(expected, checkpoint.signature):
        raise BadCheckpoint(f"line {number} of {path} has a wrong signature: the file was altered")
    return checkpoint
