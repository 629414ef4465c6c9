"""Readiness snapshots in the background (CELERY_BEAT_SCHEDULE: `snapshot-readiness`).

Tasks take ids and ISO dates; `snapshots.take` is an upsert, so a retry, a duplicate delivery or
a second run the same day rewrites the same rows.
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task


@shared_task
def snapshot_all_task() -> int:
    """Queue today's snapshot of every organisation (one task each, so one failure stays local)."""
    from accounts.models import Organisation

    ids = list(Organisation.objects.values_list("pk", flat=True))
    for pk in ids:
        snapshot_organisation_task.delay(pk)
    return len(ids)


@shared_task(acks_late=True)
def snapshot_organisation_task(organisation_id: int, day: str | None = None) -> int:
    from accounts.models import Organisation

    from .snapshots import take

    org = Organisation.objects.filter(pk=organisation_id).first()
    if org is None:  # deleted since it was queued: nothing to do
        return 0
    return take(org, dt.date.fromisoformat(day) if day else None)
