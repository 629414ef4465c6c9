"""`manage.py snapshot_readiness [--date D] [--days N] [--org SLUG]`: take (or backfill) snapshots.

Without options it takes today's snapshot of every organisation. `--date` takes that day instead
(rebuilt from the records' timestamps when it is in the past); `--days N` also takes the N-1 days
before it. Each day is an upsert, so re-running a backfill rewrites the same rows.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import Organisation
from readiness.snapshots import take


class Command(BaseCommand):
    help = "Take today's readiness snapshot, or backfill earlier days (--date, --days)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The day to take, YYYY-MM-DD (default: today).")
        parser.add_argument("--days", type=int, default=1, help="How many days up to --date (default 1).")
        parser.add_argument("--org", help="Only this organisation (its short name).")

    def handle(self, *args, **options):
        try:
            last = dt.date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError as error:
            raise CommandError(f"--date: {error}") from error
        if last > timezone.localdate():
            raise CommandError("--date: a snapshot of a day to come cannot be taken.")
        if options["days"] < 1:
            raise CommandError("--days: give 1 or more.")
        orgs = Organisation.objects.order_by("pk")
        if options["org"]:
            orgs = orgs.filter(slug=options["org"])
            if not orgs.exists():
                raise CommandError(f"No organisation {options['org']!r}.")
        days = [last - dt.timedelta(days=n) for n in range(options["days"] - 1, -1, -1)]
        for org in orgs:
            rows = sum(take(org, day) for day in days)
            self.stdout.write(f"{org.slug}: {len(days)} day(s), {rows} rows written.")
