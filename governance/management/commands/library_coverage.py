"""Write the reviewer's coverage table of the built-in library, or check it against the targets."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from governance.library import coverage, quality
from governance.library.documents import builtin_document
from governance.library.schema import validate

DEFAULT_OUTPUT = Path(settings.BASE_DIR) / "docs" / "library-coverage.md"


class Command(BaseCommand):
    help = (
        "Write docs/library-coverage.md: per framework the items covered, out of scope (with the reason) and "
        "uncovered, with the controls per item. With --check, write nothing and fail when a coverage target is "
        "missed, a data quality check fails, or the document is out of date."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="check targets and freshness; write nothing")
        parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT, help="where the table goes")

    def handle(self, *args, check: bool, output: Path, **options):
        document = builtin_document()
        report = coverage.report(document)
        text = coverage.markdown(report)
        for fw in report.frameworks:
            self.stdout.write(
                f"{fw.key}: {len(fw.rows)} items, {fw.count(coverage.COVERED)} covered, "
                f"{fw.count(coverage.SUB_ITEMS)} through sub-items, {fw.count(coverage.OUT_OF_SCOPE)} out of scope, "
                f"{fw.count(coverage.UNCOVERED)} uncovered"
            )
        self.stdout.write(
            f"ATLAS techniques reachable: {len(report.reachable)} of {report.techniques} ({report.reachability:.1%}); "
            f"{report.controls} controls, {report.threats} threats"
        )
        if not check:
            output.write_text(text, encoding="utf-8")
            self.stdout.write(self.style.SUCCESS(f"Wrote {output}"))
            return
        problems = [str(e) for e in validate(document)]
        problems += report.shortfalls()
        problems += [str(f) for f in quality.check(document, profiles=quality.demo_profiles())]
        if not output.is_file() or output.read_text(encoding="utf-8") != text:
            problems.append(f"{output} is out of date: run manage.py library_coverage and commit the result")
        if problems:
            raise CommandError("\n".join([f"{len(problems)} problem(s):", *(f"  {p}" for p in problems)]))
        self.stdout.write(self.style.SUCCESS("Coverage targets and library data checks pass."))
