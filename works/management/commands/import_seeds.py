"""`manage.py import_seeds [PATH …]`: load seed export files, one line of output per file."""

import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from works.importing import import_seed_file, seed_files

PROGRESS_BAR_FROM = 20


class Command(BaseCommand):
    help = "Import works from seed export files or directories of them (default: seeds/)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="files or directories; default seeds/")
        parser.add_argument(
            "--base-url", default="", help="prefix for the work URLs printed (e.g. http://…)"
        )

    def handle(self, *, paths, base_url, verbosity, **options):
        # A path that does not exist gets its own FAILED line; the others still import.
        files = seed_files(paths or [settings.BASE_DIR / "seeds"])
        counts = {"imported": 0, "unchanged": 0, "failed": 0}
        show_bar = len(files) >= PROGRESS_BAR_FROM and verbosity > 0
        with tqdm(total=len(files), unit="file", disable=not show_bar, file=sys.stderr) as progress:
            for path in files:
                result = import_seed_file(path)
                counts[result.status] += 1
                progress.update()
                if verbosity == 0 and result.status != "failed":
                    continue
                # Clears the bar (on stderr) while the line goes to stdout, so they never mix.
                with tqdm.external_write_mode(file=sys.stdout):
                    self.stdout.write(_describe(result, base_url))
        summary = ", ".join(f"{count} {status}" for status, count in counts.items())
        self.stdout.write(f"{len(files)} files: {summary}")
        if counts["failed"]:
            raise CommandError(f"{counts['failed']} of {len(files)} files failed to import")


def _describe(result, base_url):
    if result.status == "failed":
        return f"FAILED {result.path}: {result.message}"
    url = base_url.rstrip("/") + result.work.get_absolute_url()
    if result.status == "unchanged":
        return f"unchanged {result.path}: {result.message} ({url})"
    return f"imported {result.path}: {url}"
