"""System checks of the audit chain's key (`manage.py check`, and `check --deploy`)."""

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from . import keys


@checks.register(checks.Tags.security)
def audit_keys_are_valid(app_configs, **kwargs):
    try:
        keys.keyring()
    except (ImproperlyConfigured, OSError) as exc:
        return [checks.Error(f"The audit chain's keys cannot be read: {exc}", id="audit.E001")]
    return []


@checks.register(checks.Tags.security, deploy=True)
def audit_key_is_dedicated(app_configs, **kwargs):
    try:
        ring = keys.keyring()
    except (ImproperlyConfigured, OSError):
        return []  # audit.E001 says why
    if ring.dedicated:
        return []
    return [
        checks.Warning(
            "The audit chain is keyed with a key derived from SECRET_KEY.",
            hint="Set AUDIT_HMAC_KEYS or AUDIT_HMAC_KEY_FILE to a dedicated key (docs/security/audit-chain.md).",
            id="audit.W001",
        )
    ]
