from django.core.management.base import BaseCommand

from core import audit
from core.models import AuditCheckpoint


class Command(BaseCommand):
    help = "Seal the audit entries since the last checkpoint with a Merkle root, or print the checkpoints (--list)."

    def add_arguments(self, parser):
        parser.add_argument("--list", action="store_true", help="print every checkpoint for publication")

    def handle(self, *args, **options):
        if options["list"]:
            for cp in AuditCheckpoint.objects.order_by("last_seq"):
                self.stdout.write(
                    f"{cp.created_at:%Y-%m-%d %H:%M:%S%z}  #{cp.first_seq}-#{cp.last_seq}  {cp.merkle_root}"
                )
            return
        checkpoint = audit.create_checkpoint(actor="manage.py audit_checkpoint")
        if checkpoint is None:
            self.stdout.write("nothing new since the last checkpoint")
            return
        self.stdout.write(
            f"checkpoint #{checkpoint.first_seq}-#{checkpoint.last_seq} "
            f"({checkpoint.entry_count} entries) Merkle root {checkpoint.merkle_root}"
        )
