"""Demo notifications: today's reminders of Acme AI, so the bell shows what waits for each person
(the e-mail digests go out with the first daily run)."""

from __future__ import annotations

from django.utils import timezone

from core.demo import DemoContext

from .services import reminders_collect


def seed(ctx: DemoContext) -> None:
    created = reminders_collect(ctx.org, timezone.localdate())
    ctx.log(f"  notifications: {created} new for today")
