"""`manage.py scan_hidden_text FILE…`: the prompt hygiene scanner on the command line.

Exit status 0 when no file holds a hidden character, 1 when one does, 2 when a file could not be
read (missing, binary, not UTF-8 or over the size limit). The same scanner runs without Django
as `python -m core.hidden_text FILE…` (see hygiene/README.md for CI).
"""

from django.core.management.base import BaseCommand

from core.hidden_text import main


class Command(BaseCommand):
    help = "Report hidden and look-alike characters in text, CSV and JSONL files; exit 1 on a finding."

    def run_from_argv(self, argv):
        # argparse of core.hidden_text owns the options, so `--help` shows them.
        raise SystemExit(main(argv[2:]))

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+")
        parser.add_argument("--format", default="auto")
        parser.add_argument("--max-bytes", type=int)
        parser.add_argument("--json", action="store_true")

    def handle(self, *files, **options):
        argv = [*options["files"], "--format", options["format"]]
        if options.get("max_bytes"):
            argv += ["--max-bytes", str(options["max_bytes"])]
        if options.get("json"):
            argv.append("--json")
        status = main(argv, out=self.stdout, err=self.stderr)
        if status:
            raise SystemExit(status)
