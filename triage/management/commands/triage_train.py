import time

from django.core.management.base import BaseCommand
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from triage import classifier
from triage.classification import train


class Command(BaseCommand):
    help = (
        "Train the message classifier from triage/data/labelled_messages.csv plus the staff corrections in the "
        "database; writes the next classifier-v<N>.joblib in TRIAGE_MODEL_DIR and points `current` at it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--if-missing", action="store_true", help="do nothing when a usable model exists")

    def handle(self, *args, **options):
        if options["if_missing"]:
            path = classifier.current_path()
            if path is not None:
                try:
                    model = classifier.load(path)
                except (ValueError, OSError) as exc:
                    self.stdout.write(f"{path.name} cannot be used ({exc}); training a new model")
                else:
                    self.stdout.write(f"classifier {model.name} present ({path}); not retrained")
                    return
        started = time.monotonic()
        columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
        with Progress(*columns, transient=True, disable=options["verbosity"] < 1) as progress:
            data_rows = sum(1 for _ in classifier.shipped_data().texts)
            tasks = {
                "features": progress.add_task("features", total=data_rows),
                "tune": progress.add_task("choosing C (3-fold CV)", total=len(classifier.C_GRID)),
                "fit": progress.add_task("fitting + calibrating", total=1),
            }
            result = train(progress=lambda stage, n: progress.advance(tasks[stage], n))
        model = result.model
        skipped = result.corrections_skipped
        note = f", {skipped} skipped: too few examples of their category" if skipped else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"classifier {model.name}: {result.path} ({result.path.stat().st_size / 1e6:.1f} MB), "
                f"{model.meta['messages']:,} messages ({result.corrections_used} staff corrections{note}), "
                f"{len(model.labels)} categories, {model.meta['features']:,} features, C={model.meta['C']}, "
                f"{time.monotonic() - started:.1f} s"
            )
        )
