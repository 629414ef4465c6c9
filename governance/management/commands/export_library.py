"""Write the library in the exchange format (docs/library-format.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organisation
from governance.library.exporter import FORMATS, export_library


class Command(BaseCommand):
    help = (
        "Write the built-in library, or with --organisation that organisation's own frameworks, controls and "
        "threats, as YAML or JSON. The output is canonical: the same library always gives the same bytes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=FORMATS, default="yaml")
        parser.add_argument("--organisation", metavar="SLUG", help="export this organisation's own content")
        parser.add_argument("--output", "-o", type=Path, metavar="FILE", help="write here instead of standard output")

    def handle(self, *args, format: str, organisation: str | None, output: Path | None, **options):
        org = None
        if organisation:
            org = Organisation.objects.filter(slug=organisation).first()
            if org is None:
                raise CommandError(f"no organisation with the short name {organisation!r}")
        text = export_library(org, format)
        if output:
            output.write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
