"""SMS gateways. The default writes messages to a file (var/sms/outbox.log); a real gateway is a class with
`send(phone, body)` named in settings.SMS_BACKEND."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from django.conf import settings


class SmsError(Exception):
    pass


class FileSmsBackend:
    def __init__(self) -> None:
        self.path = Path(settings.SMS_OUTBOX)

    def send(self, phone: str, body: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(f"{dt.datetime.now().isoformat(timespec='seconds')}\t{phone}\t{body}\n")


class ConsoleSmsBackend:
    def send(self, phone: str, body: str) -> None:
        print(f"SMS to {phone}: {body}", file=sys.stdout, flush=True)


class MemorySmsBackend:
    """For tests: keeps what was sent."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, body: str) -> None:
        MemorySmsBackend.outbox.append((phone, body))
