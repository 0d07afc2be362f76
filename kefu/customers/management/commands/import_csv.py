"""``kefu import_csv <kind> file.csv [--dry-run] [--encoding auto|utf-8|gb18030]``."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from kefu.customers.importexport.csvfile import ENCODING_CHOICES, CsvFileError
from kefu.customers.importexport.importer import IMPORTERS, import_file


class Command(BaseCommand):
    help = (
        "Import organizations, sites, contacts or assets from a CSV file. The whole file is "
        "checked first; nothing is written unless every row is good."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(IMPORTERS))
        parser.add_argument("path")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument(
            "--encoding",
            default="auto",
            help=f"one of {', '.join(ENCODING_CHOICES)} (GBK/GB2312 files are read as GB18030)",
        )
        parser.add_argument("--user", help="username the changes are attributed to")

    def handle(self, *args, kind, path, dry_run, encoding, user, **options):
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"unknown user {user}")
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        bars: dict[str, tqdm] = {}
        show = options.get("verbosity", 1) > 0

        def progress(stage: str, done: int, total: int) -> None:
            if not show:
                return
            bar = bars.get(stage)
            if bar is None:
                label = "checking" if stage == "check" else "writing"
                bar = bars[stage] = tqdm(total=total, desc=label, unit="row", file=self.stderr)
            bar.update(done - bar.n)

        try:
            result, used = import_file(
                kind, data, encoding=encoding, actor=actor, dry_run=dry_run, progress=progress
            )
        except CsvFileError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            for bar in bars.values():
                bar.close()
        for error in result.errors:
            column = f" [{error['column']}]" if error["column"] else ""
            self.stdout.write(f"line {error['line']}{column}: {error['message']}")
        summary = (
            f"{result.total} rows ({used}): {result.created} to create, {result.updated} to update"
            if dry_run
            else f"{result.total} rows ({used}): {result.created} created, {result.updated} updated"
        )
        if result.errors:
            raise CommandError(
                f"{len(result.errors)} problems in {result.bad_lines} rows; nothing was imported."
            )
        self.stdout.write(
            self.style.SUCCESS(summary + (" (dry run, nothing written)" if dry_run else ""))
        )
