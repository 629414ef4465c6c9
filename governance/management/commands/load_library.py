"""Load the built-in library shipped in governance/library/builtin/, or upgrade to it."""

from django.core.management.base import BaseCommand, CommandError

from governance.library import LibraryInvalid, load_builtin_library


def error_lines(exc: LibraryInvalid) -> str:
    return "\n".join([f"{len(exc.errors)} problem(s); nothing was written:", *(f"  {e}" for e in exc.errors)])


class Command(BaseCommand):
    help = (
        "Load the built-in frameworks, controls, threats and scenarios, or upgrade them to the release in the "
        "repository. Safe to run again; organisations' own content is never touched."
    )

    def handle(self, *args, **options):
        try:
            report = load_builtin_library()
        except LibraryInvalid as exc:
            raise CommandError(error_lines(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"Built-in library loaded. {report}"))
