"""End signed-in sessions: of named users, or of everyone (after a suspected compromise)."""

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from authn.security_log import security_event
from authn.sessions import end_sessions


class Command(BaseCommand):
    help = "End the sessions of the given users (by username), or of every user with --all."

    def add_arguments(self, parser):
        parser.add_argument("usernames", nargs="*")
        parser.add_argument("--all", action="store_true", help="end every session of every user")

    def handle(self, *args, **options):
        usernames = options["usernames"]
        if options["all"] == bool(usernames):
            raise CommandError("Name one or more users, or pass --all (not both).")
        with transaction.atomic():
            if options["all"]:
                count, _ = Session.objects.all().delete()
                security_event("sessions.ended_by_operator", obj="all", count=count, level=30)
                self.stdout.write(f"Ended {count} sessions.")
                return
            users = get_user_model().objects.filter(username__in=usernames)
            unknown = set(usernames) - {u.get_username() for u in users}
            if unknown:
                raise CommandError(f"No such user: {', '.join(sorted(unknown))}")
            for user in users:
                count = end_sessions(user)
                security_event("sessions.ended_by_operator", obj=f"user:{user.get_username()}", count=count, level=30)
                self.stdout.write(f"{user.get_username()}: ended {count} sessions.")
