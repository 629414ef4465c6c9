"""The daily reminder run and the reader's actions. Idempotent by construction: notifications are
unique per person, subject and day (a second run inserts nothing), and a digest is claimed with a
conditional update before it is sent (a second run, or a redelivered task, finds it claimed)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import ngettext

from accounts.models import Organisation

from .models import Digest, Notification, Preference
from .reminders import FINDERS, Audience


def reminders_collect(org: Organisation, today: dt.date) -> int:
    """Write today's notifications of one organisation; return how many were new."""
    people = Audience(org)
    rows: dict[tuple[int, str], Notification] = {}
    for finder in FINDERS:
        for found in finder(org, people, today):
            for user_id in found.users & people.members:  # only people still in the organisation
                rows.setdefault(
                    (user_id, found.subject),
                    Notification(
                        organisation=org,
                        user_id=user_id,
                        kind=found.kind,
                        subject=found.subject[:120],
                        day=today,
                        text=found.text[:300],
                        url=found.url,
                    ),
                )
    before = Notification.objects.filter(organisation=org, day=today).count()
    Notification.objects.bulk_create(rows.values(), ignore_conflicts=True)
    return Notification.objects.filter(organisation=org, day=today).count() - before


def digests_send(today: dt.date) -> int:
    """Send each person who has notifications today, has an e-mail address and has not turned the
    digest off, one e-mail listing them: at most one per person and day. Returns how many were sent."""
    users = get_user_model()
    opted_out = Preference.objects.filter(email_digest=False).values("user_id")
    waiting = (
        users.objects.filter(notifications__day=today, is_active=True)
        .exclude(email="")
        .exclude(pk__in=opted_out)
        .values_list("pk", flat=True)
        .distinct()
    )
    Digest.objects.bulk_create([Digest(user_id=pk, day=today) for pk in waiting], ignore_conflicts=True)
    claim = uuid.uuid4().hex
    Digest.objects.filter(day=today, sent_at__isnull=True).update(sent_at=timezone.now(), claim=claim)
    claimed = {d.user_id: d for d in Digest.objects.filter(day=today, claim=claim).select_related("user")}
    if not claimed:
        return 0
    items: dict[int, list[Notification]] = defaultdict(list)
    for n in (
        Notification.objects.filter(day=today, user_id__in=claimed)
        .select_related("organisation")
        .order_by("organisation__name", "kind", "pk")
    ):
        items[n.user_id].append(n)
    site = settings.BASTION_SITE_URL.rstrip("/")
    messages = []
    for user_id, digest in claimed.items():
        mine = items.get(user_id, [])
        context = {"user": digest.user, "notifications": mine, "site": site, "day": today}
        messages.append(
            mail.EmailMessage(
                subject=ngettext("Bastion: %(n)s thing waits for you", "Bastion: %(n)s things wait for you", len(mine))
                % {"n": len(mine)},
                body=render_to_string("notifications/digest.txt", context),
                to=[digest.user.email],
            )
        )
    with mail.get_connection() as connection:
        connection.send_messages(messages)
    return len(messages)


def reminders_run(today: dt.date | None = None) -> tuple[int, int]:
    """The daily run: every organisation's notifications, then the digests. Safe to repeat."""
    today = today or timezone.localdate()
    created = sum(reminders_collect(org, today) for org in Organisation.objects.order_by("pk"))
    return created, digests_send(today)


def notifications_mark_read(*, user, organisation: Organisation, ids: list[int] | None = None) -> int:
    """Mark the user's unread notifications of this organisation as read (all, or those in `ids`)."""
    rows = Notification.objects.unread().filter(user=user, organisation=organisation)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return rows.update(read_at=timezone.now())


def digest_preference_set(*, user, email_digest: bool) -> Preference:
    preference, _created = Preference.objects.update_or_create(user=user, defaults={"email_digest": email_digest})
    return preference


def wants_digest(user) -> bool:
    return not Preference.objects.filter(user=user, email_digest=False).exists()
