from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from cases.choices import Channel
from core.actions import do_create_api_client
from core.management.base import ActingCommand
from core.models import ApiClient


class Command(ActingCommand):
    help = "Create an API key for a system (printed once), or list the clients."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        sub = parser.add_subparsers(dest="verb", required=True)
        create = sub.add_parser("create")
        create.add_argument("name")
        create.add_argument("--channel", default=Channel.DEPARTMENT, choices=Channel.values)
        create.add_argument("--per-minute", type=int, default=600)
        sub.add_parser("list")

    def handle(self, *args, **options):
        if options["verb"] == "list":
            for client in ApiClient.objects.all():
                state = "active" if client.is_active else "disabled"
                self.stdout.write(f"{client.name}\t{client.channel}\t{client.key_prefix}…\t{state}")
            return
        try:
            client, key = do_create_api_client(
                options["name"],
                options["channel"],
                acting_user=self.acting_user(options),
                requests_per_minute=options["per_minute"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(f"API client {client.name} ({client.channel}). Key, shown only now:\n{key}")
