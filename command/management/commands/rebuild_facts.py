from django.core.management.base import BaseCommand
from rich.progress import Progress

from command.facts import rebuild


class Command(BaseCommand):
    help = "Rebuild the command centre's fact table from all cases (after a bulk load; the clock keeps it current)."

    def handle(self, *args, **options):
        with Progress(disable=options["verbosity"] < 1) as progress:
            task = progress.add_task("case facts", total=None)
            done = rebuild(lambda n, total: progress.update(task, completed=n, total=total))
        self.stdout.write(f"{done} case facts written")
