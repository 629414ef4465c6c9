from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organisation
from audit.services import verify_chain


class Command(BaseCommand):
    help = "Check the hash chain of the audit trail of every organisation (or one, with --organisation)."

    def add_arguments(self, parser):
        parser.add_argument("--organisation", metavar="SLUG", help="check only this organisation")

    def handle(self, *args, organisation=None, **options):
        orgs = Organisation.objects.order_by("slug")
        if organisation:
            orgs = orgs.filter(slug=organisation)
            if not orgs.exists():
                raise CommandError(f"No organisation with slug {organisation!r}.")
        broken = []
        for org in orgs:
            report = verify_chain(org)
            if report.ok:
                self.stdout.write(f"{org.slug}: {report.events_checked} events, chain intact")
            else:
                self.stderr.write(f"{org.slug}: BROKEN: {report.error}")
                broken.append(org.slug)
        if broken:
            raise CommandError(f"Audit chain broken in: {', '.join(broken)}")
        self.stdout.write(self.style.SUCCESS("Audit log verified."))
