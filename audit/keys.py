"""The keys of the audit chain's HMAC, kept outside the database (docs/security/audit-chain.md).

`AUDIT_HMAC_KEYS` (or the file named by `AUDIT_HMAC_KEY_FILE`) lists `id:secret` entries,
separated by commas or new lines; the first is the current key, which seals new events and
signs checkpoints, and the others still verify what they sealed (rotation). Each event stores
the id of its key; "" marks an event written before the chain was keyed (plain SHA-256).

Without a dedicated key, a key derived from SECRET_KEY (and one from each SECRET_KEY_FALLBACKS)
is used, with an id "sk-…". That still stops someone who can only write the database, but the
secret then also signs sessions and lives wherever SECRET_KEY does; `check --deploy` warns.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

LEGACY = ""  # the key id of events hashed before the chain was keyed
KEY_ID = re.compile(r"[A-Za-z0-9._-]{1,32}")
MIN_SECRET_CHARS = 32
DERIVATION_LABEL = b"bastion.audit-chain.v1"


class UnknownKey(KeyError):
    """An event or checkpoint names a key id that is not configured."""


@dataclass(frozen=True)
class Keyring:
    current: str
    keys: dict[str, bytes]
    dedicated: bool  # False when the current key is derived from SECRET_KEY


def parse(text: str) -> list[tuple[str, bytes]]:
    """`id:secret` entries, by commas or lines (# starts a comment line); ImproperlyConfigured if bad."""
    entries = []
    for raw in re.split(r"[,\n]", text):
        entry = raw.strip()
        if not entry or entry.startswith("#"):
            continue
        key_id, sep, secret = entry.partition(":")
        key_id, secret = key_id.strip(), secret.strip()
        if not sep or not KEY_ID.fullmatch(key_id) or key_id.startswith("sk-"):
            raise ImproperlyConfigured(
                "AUDIT_HMAC_KEYS: each entry is id:secret, the id 1-32 letters, digits, '.', '_' or '-' "
                "and not starting with 'sk-'."
            )
        if len(secret) < MIN_SECRET_CHARS:
            raise ImproperlyConfigured(f"AUDIT_HMAC_KEYS: the secret of key {key_id!r} is shorter than 32 characters.")
        entries.append((key_id, secret.encode()))
    ids = [key_id for key_id, _secret in entries]
    if len(ids) != len(set(ids)):
        raise ImproperlyConfigured("AUDIT_HMAC_KEYS: a key id is listed twice.")
    return entries


def derived(secret_key: str) -> tuple[str, bytes]:
    key = hmac.new(secret_key.encode(), DERIVATION_LABEL, hashlib.sha256).digest()
    return "sk-" + hashlib.sha256(key).hexdigest()[:12], key


@lru_cache(maxsize=8)
def _keyring(keys_text: str, key_file: str, secret_keys: tuple[str, ...]) -> Keyring:
    text = keys_text
    if key_file:
        text = f"{text}\n{Path(key_file).read_text()}"
    dedicated = parse(text)
    fallback = [derived(secret) for secret in secret_keys if secret]
    entries = dedicated + fallback
    return Keyring(current=entries[0][0], keys=dict(entries), dedicated=bool(dedicated))


def keyring() -> Keyring:
    """The configured keys (read once per configuration; restart to pick up a changed key file)."""
    secrets = (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", []))
    return _keyring(settings.AUDIT_HMAC_KEYS, str(settings.AUDIT_HMAC_KEY_FILE or ""), tuple(secrets))


def current_key_id() -> str:
    """The id of the key that seals new events (the default of AuditEvent.key_id)."""
    return keyring().current


def key(key_id: str) -> bytes:
    try:
        return keyring().keys[key_id]
    except KeyError:
        raise UnknownKey(key_id) from None


def mac(key_id: str, message: str) -> str:
    """HMAC-SHA256 of `message` under the key `key_id`, as hex."""
    return hmac.new(key(key_id), message.encode(), hashlib.sha256).hexdigest()
