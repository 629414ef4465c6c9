"""Writes to webhook endpoints, each audited (audit.services) in its own transaction."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import membership_of, require_role
from accounts.models import Organisation, Role
from audit.services import audited_create, audited_retire, audited_update

from . import events, net
from .models import Delivery, DeliveryStatus, Endpoint, new_secret


def check_target(url: str) -> None:
    try:
        net.check_url(url)
    except net.TargetRefused as exc:
        raise ValidationError({"url": str(exc)}) from None


def _admin_check(actor: Any):
    def check(locked: Endpoint) -> None:
        require_role(membership_of(actor, locked), min_role=Role.ADMIN)

    return check


def endpoint_create(
    *, actor, organisation: Organisation, url: str, description: str, event_types: list[str]
) -> Endpoint:
    """A new endpoint with a fresh secret (read it from the returned row, once)."""
    check_target(url)
    with transaction.atomic():
        return audited_create(
            Endpoint,
            actor=actor,
            action="webhooks.endpoint.created",
            data={
                "organisation": organisation,
                "url": url,
                "description": description,
                "event_types": sorted(event_types),
                "created_by": actor,
            },
        )


def endpoint_update(*, actor, endpoint: Endpoint, expected_version: int, data: dict[str, Any]) -> Endpoint:
    """Change the URL, description, events or the active flag. Switching an endpoint back on
    clears its failure count and queues what waited for it."""
    if "url" in data and data["url"] != endpoint.url:
        check_target(data["url"])

    def changes(locked: Endpoint) -> dict[str, Any]:
        out = {**data, "event_types": sorted(data.get("event_types", locked.event_types))}
        if data.get("is_active") and not locked.is_active:
            out.update(disabled_reason="", consecutive_failures=0)
        return out

    with transaction.atomic():
        row = audited_update(
            endpoint,
            actor=actor,
            action="webhooks.endpoint.updated",
            expected_version=expected_version,
            changes=changes,
            check=_admin_check(actor),
        )
        if row.is_active:
            from .tasks import queue

            pending = list(
                Delivery.objects.filter(endpoint=row, status=DeliveryStatus.PENDING).values_list("pk", flat=True)[:500]
            )
            transaction.on_commit(lambda: queue(pending))
    return row


def endpoint_rotate_secret(*, actor, endpoint: Endpoint, expected_version: int) -> Endpoint:
    """A new secret; the old one stops signing at once. The event records when, never the secret."""
    with transaction.atomic():
        return audited_update(
            endpoint,
            actor=actor,
            action="webhooks.endpoint.secret_rotated",
            expected_version=expected_version,
            changes={"secret": new_secret(), "secret_rotated_at": timezone.now()},
            check=_admin_check(actor),
        )


def endpoint_retire(*, actor, endpoint: Endpoint, expected_version: int, reason: str) -> Endpoint:
    """Remove an endpoint: nothing more is sent to it; its delivery log stays readable."""
    with transaction.atomic():
        return audited_retire(
            endpoint,
            actor=actor,
            action="webhooks.endpoint.retired",
            expected_version=expected_version,
            reason=reason,
            changes={"is_active": False},
            check=_admin_check(actor),
        )


def endpoint_disable_after_failures(endpoint_id: int, *, failures: int, last_error: str) -> Endpoint | None:
    """Switch off an endpoint that failed `failures` times in a row (by the system, audited)."""
    endpoint = Endpoint.objects.get(pk=endpoint_id)
    if not endpoint.is_active:
        return None
    reason = _("Switched off after %(n)s failed attempts in a row (last: %(error)s).") % {
        "n": failures,
        "error": last_error or _("no answer"),
    }
    with transaction.atomic():
        return audited_update(
            endpoint,
            actor=None,
            action="webhooks.endpoint.disabled",
            expected_version=endpoint.version,
            changes={"is_active": False, "disabled_reason": reason[:300]},
        )


def endpoint_send_test(*, actor, endpoint: Endpoint) -> Delivery:
    """A `webhook.test` event to this endpoint only, whatever it subscribes to."""
    if not endpoint.is_active or endpoint.retired_at:
        raise ValidationError(_("Switch the endpoint on before sending a test event."))
    data = {"message": "A test event from Bastion.", "sent_by": getattr(actor, "username", "")}
    with transaction.atomic():
        made = events.emit(endpoint.organisation, events.TEST, f"test:{uuid.uuid4()}", data, [endpoint])
    return made[0]
