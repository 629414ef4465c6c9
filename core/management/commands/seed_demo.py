"""Load the demo organisation "Acme AI". Safe to run again: it brings the demo to the same state.

Each app contributes its part through a seeder listed in settings.BASTION_DEMO_SEEDERS, run in
order; a seeder receives the shared `DemoContext` (organisation, users, teams, systems…) that
earlier seeders filled in.
"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import import_string

from core.demo import DemoContext


class Command(BaseCommand):
    help = "Create or refresh the demo organisation Acme AI with its teams, users and AI systems."

    def handle(self, *args, **options):
        context = DemoContext(password=settings.BASTION_DEMO_PASSWORD, log=self.stdout.write)
        with transaction.atomic():
            for path in settings.BASTION_DEMO_SEEDERS:
                import_string(path)(context)
        self.stdout.write(self.style.SUCCESS(f"Demo organisation ready: {context.org.name} (/o/{context.org.slug}/)"))
        self.stdout.write("Sign in at /accounts/login/ with any of these users:")
        for username, role, team in context.logins:
            self.stdout.write(f"  {username:<9} role {role:<8} {team}")
        self.stdout.write(f"Password for all: {context.password!r} (set DEMO_PASSWORD to change it)")
