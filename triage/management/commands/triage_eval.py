from django.conf import settings
from django.core.management.base import BaseCommand
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from triage.evaluation import evaluate


class Command(BaseCommand):
    help = (
        "Evaluate the classifier on the shipped data: accuracy, macro-F1, per-class precision/recall/F1 and the "
        "confusion matrix on the held-out 20 % (stratified, reposts kept together, seed 42), then k-fold CV."
    )

    def add_arguments(self, parser):
        parser.add_argument("--folds", type=int, default=5, help="cross-validation folds (0 or 1: none)")

    def handle(self, *args, **options):
        folds = options["folds"]
        with Progress(transient=True, disable=options["verbosity"] < 1) as progress:
            held = progress.add_task("held-out split", total=1)
            cv = progress.add_task(f"{folds}-fold CV", total=folds if folds > 1 else 0)
            report = evaluate(
                folds=folds,
                use_words=settings.TRIAGE_USE_WORDS,
                progress=lambda stage, n: progress.advance(held if stage == "held-out" else cv, n),
            )
        console = Console(file=self.stdout, width=160)  # type: ignore[arg-type]
        console.print(
            f"held-out split: {report.n_train:,} training / {report.n_test:,} test messages (seed 42)\n"
            f"accuracy {report.accuracy:.4f}   macro-F1 {report.macro_f1:.4f}   "
            f"training {report.train_seconds:.1f} s   {report.throughput:,.0f} messages/s   "
            f"model {report.model_mb:.1f} MB"
        )
        table = Table("category", "precision", "recall", "F1", "support", title="per class (held-out)")
        for label, s in report.per_class.items():
            table.add_row(label, f"{s['precision']:.4f}", f"{s['recall']:.4f}", f"{s['f1']:.4f}", str(s["support"]))
        console.print(table)
        matrix = Table("true \\ predicted", *[label[:4] for label in report.labels], title="confusion matrix")
        for label, row in zip(report.labels, report.confusion, strict=True):
            matrix.add_row(label, *[str(v) for v in row])
        console.print(matrix)
        if report.cv_f1:
            console.print(
                f"{folds}-fold CV macro-F1: {report.cv_mean:.4f} ± {report.cv_sd:.4f} "
                f"({', '.join(f'{f:.4f}' for f in report.cv_f1)})"
            )
