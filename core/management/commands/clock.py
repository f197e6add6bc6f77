import time

from django.core.management.base import BaseCommand

from core.clock import tick


class Command(BaseCommand):
    help = "Run the clock: start periodic jobs when they are due (audit checkpoints; later deadline sweeps)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run one tick and exit")
        parser.add_argument("--interval", type=float, default=5.0, help="seconds between ticks")

    def handle(self, *args, once: bool, interval: float, **options):
        while True:
            ran = tick()
            if ran:
                self.stdout.write(f"clock: ran {', '.join(ran)}")
            if once:
                return
            time.sleep(interval)
