import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.progress import Progress

from triage import classifier
from triage.classification import department_label

BATCH = 2000


class Command(BaseCommand):
    help = (
        "Classify a UTF-8 CSV with columns id,text (title optional) into id,category,confidence,department "
        "(category names as the first-level labels of the training data)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True, type=Path)
        parser.add_argument("--output", required=True, type=Path)
        parser.add_argument("--words", action="store_true", help="add a column with the words that drove it")

    def handle(self, *args, **options):
        model = classifier.current_model()
        if model is None:
            raise CommandError("no classifier is trained: run manage.py triage_train")
        rows = read_input(options["input"])
        with options["output"].open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["id", "category", "confidence", "department", *(["words"] if options["words"] else [])])
            departments: dict[str, str] = {}
            with Progress(transient=True, disable=options["verbosity"] < 1) as progress:
                task = progress.add_task("classifying", total=len(rows))
                for start in range(0, len(rows), BATCH):
                    chunk = rows[start : start + BATCH]
                    for (ident, text), p in zip(chunk, model.predict([t for _, t in chunk]), strict=True):
                        if p.label not in departments:
                            departments[p.label] = department_label(p.label)
                        extra = []
                        if options["words"]:
                            extra = [" ".join(w["text"] for w in model.explain(text, model.labels.index(p.label), 6))]
                        writer.writerow([ident, p.label, f"{p.confidence:.4f}", departments[p.label], *extra])
                    progress.advance(task, len(chunk))
        self.stdout.write(
            self.style.SUCCESS(f"{len(rows):,} messages classified with {model.name} → {options['output']}")
        )


def read_input(path: Path) -> list[tuple[str, str]]:
    """(id, text) rows; every problem is reported by row number before anything is written."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CommandError(f"{path}: {exc.strerror or exc}") from None
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CommandError(f"{path}: line {line} is not UTF-8 (save the file as UTF-8)") from None
    reader = csv.DictReader(content.splitlines())
    columns = [c.strip() for c in reader.fieldnames or []]
    missing = [c for c in ("id", "text") if c not in columns]
    if missing:
        found = ", ".join(columns) or "nothing"
        raise CommandError(
            f"{path}: missing column(s) {', '.join(missing)}; the header must be id,text (found: {found})"
        )
    reader.fieldnames = columns
    rows, problems, seen = [], [], set()
    for n, row in enumerate(reader, start=2):
        ident, text = (
            (row.get("id") or "").strip(),
            classifier.message_text(row.get("title") or "", row.get("text") or ""),
        )
        if None in row:
            problems.append(f"row {n}: more fields than columns (quote text that contains commas)")
        elif not ident:
            problems.append(f"row {n}: empty id")
        elif ident in seen:
            problems.append(f"row {n}: id {ident!r} appears twice")
        elif not text.strip():
            problems.append(f"row {n} (id {ident}): empty text")
        seen.add(ident)
        rows.append((ident, text))
    if problems:
        shown = "\n  ".join(problems[:20]) + (f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else "")
        raise CommandError(f"{path}: {len(problems)} bad row(s), nothing written:\n  {shown}")
    if not rows:
        raise CommandError(f"{path}: no rows after the header")
    return rows
