from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User


class ActingCommand(BaseCommand):
    """A command that writes through actions: --user names the account the audit trail records."""

    def add_arguments(self, parser):
        parser.add_argument("--user", help="username recorded as the actor (default: the command's name)")

    def acting_user(self, options: dict[str, Any]) -> Any:
        if options.get("user"):
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"no account called {options['user']!r}")
            return user
        return f"manage.py {self.__module__.rsplit('.', 1)[-1]}"

    @staticmethod
    def existing_file(path: str) -> Path:
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"{path}: no such file")
        return file
