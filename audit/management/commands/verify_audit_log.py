from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organisation
from audit.services import checkpoint_chain, verify_chain


class Command(BaseCommand):
    help = (
        "Check the keyed hash chain of the audit trail of every organisation (or one, with --organisation) "
        "against its latest signed checkpoint."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organisation", metavar="SLUG", help="check only this organisation")
        parser.add_argument(
            "--checkpoint",
            action="store_true",
            help="append a signed checkpoint of each intact chain (AUDIT_CHECKPOINT_DIR), e.g. right after an upgrade",
        )

    def handle(self, *args, organisation=None, checkpoint=False, **options):
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
                if checkpoint and (written := checkpoint_chain(report)):
                    self.stdout.write(f"{org.slug}: checkpoint written at #{written.seq}")
            else:
                self.stderr.write(f"{org.slug}: BROKEN: {report.error}")
                broken.append(org.slug)
        if broken:
            raise CommandError(f"Audit chain broken in: {', '.join(broken)}")
        self.stdout.write(self.style.SUCCESS("Audit log verified."))
