"""``kefu agent_loads``: fold the agents' load changes now, or recount the loads from tickets."""

from django.core.management.base import BaseCommand

from kefu.service.services.loads import agent_loads_fold, agent_loads_recount


class Command(BaseCommand):
    help = (
        "Fold the agents' load changes into their totals (the minute's job does this), or "
        "with --recount count every agent's active tickets again from the tickets."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--recount",
            action="store_true",
            help="a repair, for tickets changed with the database triggers disabled",
        )

    def handle(self, *args, **options):
        if options["recount"]:
            agents = agent_loads_recount()
            self.stdout.write(f"recounted: {agents} agents hold active tickets")
        else:
            agents = agent_loads_fold()
            self.stdout.write(f"folded: {agents} agents' totals changed")
