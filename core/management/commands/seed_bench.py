"""`manage.py seed_bench --scale S [--seed N]`: the large bench organisation (see bench/seed.py)."""

from django.core.management.base import BaseCommand, CommandError

from bench import seed as bench_seed
from bench.seed import BENCH_PASSWORD, BENCH_SLUG, PERSONAS, is_seeded


class Command(BaseCommand):
    help = "Create the large, deterministic bench organisation in bulk (for make bench; never in production)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="1 = 1,000 systems and 1,000,000 events")
        parser.add_argument("--seed", type=int, default=42, help="random seed (same seed, same data)")

    def handle(self, *args, scale, seed: int, **options):
        if scale <= 0 or scale > 20:
            raise CommandError("--scale must be above 0 and at most 20.")
        if is_seeded():
            self.stdout.write(f"The bench organisation (/o/{BENCH_SLUG}/) exists already; nothing written.")
            return
        org = bench_seed.seed(scale, seed, log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Bench organisation ready at /o/{org.slug}/ (scale {scale})."))
        self.stdout.write(f"Personas {', '.join(PERSONAS)}; password {BENCH_PASSWORD!r}.")
