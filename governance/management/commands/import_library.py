"""Import a library file (docs/library-format.md) as built-in content or into one organisation."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organisation
from governance.library import LibraryInvalid, import_document
from governance.library.documents import parse
from governance.services.library import library_import

from .load_library import error_lines


class Command(BaseCommand):
    help = (
        "Import a library file (YAML or JSON). With --organisation the content becomes that organisation's own; "
        "without it the file is a release of the built-in library: built-in rows it lists are updated, rows of its "
        "sections it no longer lists are retired. A file with any error is rejected whole."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--organisation", metavar="SLUG", help="import into this organisation's own library")
        parser.add_argument("--user", metavar="USERNAME", help="who the audit trail names (default: system)")

    def handle(self, *args, file: Path, organisation: str | None, user: str | None, **options):
        try:
            content = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror}") from None
        org = actor = None
        if organisation:
            org = Organisation.objects.filter(slug=organisation).first()
            if org is None:
                raise CommandError(f"no organisation with the short name {organisation!r}")
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"no user {user!r}")
        try:
            document = parse(content, name=file.name)
            if org is None:
                report = import_document(document)
            else:
                report = library_import(actor=actor, organisation=org, document=document, source=file.name)
        except LibraryInvalid as exc:
            raise CommandError(error_lines(exc)) from None
        target = f"organisation {org.slug}" if org else "the built-in library"
        self.stdout.write(self.style.SUCCESS(f"Imported {file.name} into {target}. {report}"))
