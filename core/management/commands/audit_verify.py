from django.core.management.base import BaseCommand, CommandError
from rich.progress import Progress

from core import audit
from core.models import AuditEntry


class Command(BaseCommand):
    help = "Walk the hash chain of the audit trail and name the first broken link; exit 1 when broken."

    def handle(self, *args, **options):
        total = AuditEntry.objects.count()
        with Progress(transient=True, disable=options["verbosity"] < 1) as progress:
            bar = progress.add_task("verifying", total=total)
            result = audit.verify(progress=lambda n: progress.advance(bar, n))
        if not result.ok:
            raise CommandError(f"audit trail BROKEN after {result.checked} good entries: {result.problem}")
        self.stdout.write(self.style.SUCCESS(f"audit trail intact: {result.checked} entries, checkpoints match"))
