"""``kefu search_rebuild [--kind KIND ...] [--batch-size N]``: rebuild the full-text index."""

import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from kefu.core.search import indexing


class Command(BaseCommand):
    help = "Rebuild the search index from the database, in batches, with a progress bar."

    def add_arguments(self, parser):
        parser.add_argument(
            "--kind",
            action="append",
            dest="kinds",
            help="Only this kind (e.g. customers.contact); repeatable. Default: every kind.",
        )
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, kinds=None, batch_size=5000, no_progress=False, **options):
        known = indexing.indexers()
        unknown = sorted(set(kinds or []) - set(known))
        if unknown:
            raise CommandError(f"Unknown kind(s): {', '.join(unknown)}. Known: {', '.join(known)}")
        for kind in kinds or sorted(known):
            total = known[kind].all_ids().count()
            with tqdm(
                total=total, desc=kind, unit="rec", disable=no_progress, file=sys.stderr
            ) as bar:
                written = indexing.rebuild(kind, batch_size=batch_size, progress=bar.update)
            self.stdout.write(f"{kind}: {written} indexed")
