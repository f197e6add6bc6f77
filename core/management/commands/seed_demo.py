from pathlib import Path
from typing import TextIO, cast

from django.core.management.base import BaseCommand
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cases.demo import seed_history
from command.demo import seed_command
from open311.demo import seed_open311_demo
from registry.demo import seed_for_demo
from territory.demo_seed import DEMO_PASSWORD, seed_district


class Command(BaseCommand):
    help = (
        "Build the demo district (瓯海区 330304 by default) with grids, departments and staff accounts. "
        "Idempotent: a district that exists is reused. Give --boundary and --streets for another district."
    )

    def add_arguments(self, parser):
        parser.add_argument("--boundary", type=Path, help="GeoJSON file with the district boundary (WGS-84)")
        parser.add_argument("--streets", type=Path, help="CSV of streets (code,name,areaCode,...)")
        parser.add_argument("--communities", type=int, default=250)
        parser.add_argument("--grids", type=int, default=762)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--history-days", type=int, default=365, help="days of simulated case history (0: none; once per district)"
        )

    def handle(self, *args, **options):
        console = Console(file=cast(TextIO, self.stdout), force_terminal=False)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=options["verbosity"] < 1,
        ) as progress:

            def step(label: str, total: int):
                task = progress.add_task(label, total=total)
                return lambda: progress.advance(task)

            result = seed_district(
                boundary_path=options["boundary"],
                streets_path=options["streets"],
                communities=options["communities"],
                grids=options["grids"],
                seed=options["seed"],
                progress=step,
                with_named_logins=options["boundary"] is None,
            )
            history = seed_history(result.district, days=options["history_days"], seed=options["seed"], progress=step)
            seed_for_demo(result.district, progress=step)
        seed_open311_demo()
        seed_command(result.district, seed=options["seed"])
        if options["verbosity"] < 1:
            return
        verb = "built" if result.created else "reusing existing"
        console.print(f"{verb} demo district {result.district.name} ({result.district.code})")
        if history:
            console.print(f"simulated {history:,} cases over the last {options['history_days']} days")
        if result.logins:
            table = Table(title=f"Demo logins (password: {DEMO_PASSWORD})")
            for column in ("username", "role", "territory"):
                table.add_column(column)
            for login in result.logins:
                table.add_row(login.username, login.role, login.where)
            console.print(table)
