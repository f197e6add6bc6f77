from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from cases.choices import Channel
from core.management.base import ActingCommand
from core.models import ApiClient
from open311.actions import create_key, do_set_key_active


class Command(ActingCommand):
    help = "Create an Open311 application key (printed once), list the keys, or disable / enable one."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        sub = parser.add_subparsers(dest="verb", required=True)
        create = sub.add_parser("create", help="a key for the application NAME")
        create.add_argument("name")
        create.add_argument("--per-minute", type=int, default=600, help="rate limit of this key (default 600)")
        sub.add_parser("list")
        for verb in ("disable", "enable"):
            sub.add_parser(verb).add_argument("name")

    def handle(self, *args, **options):
        verb = options["verb"]
        if verb == "list":
            for client in ApiClient.objects.filter(channel=Channel.OPEN311):
                state = "active" if client.is_active else "disabled"
                self.stdout.write(f"{client.name}\t{client.key_prefix}…\t{client.requests_per_minute}/min\t{state}")
            return
        if verb in ("disable", "enable"):
            found = ApiClient.objects.filter(channel=Channel.OPEN311, name=options["name"]).first()
            if found is None:
                raise CommandError(f"no Open311 key called {options['name']!r}")
            do_set_key_active(found, verb == "enable", acting_user=self.acting_user(options))
            self.stdout.write(f"{found.name}: {verb}d")
            return
        try:
            client, key = create_key(
                options["name"], acting_user=self.acting_user(options), requests_per_minute=options["per_minute"]
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(
            f"Open311 application {client.name} ({client.requests_per_minute}/min). api_key, shown only now:"
        )
        self.stdout.write(key)
