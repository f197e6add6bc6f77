"""Reading and writing the tables officials exchange (.csv and .xlsx), with errors that name row and field."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from django.core.exceptions import ValidationError
from django.db import transaction
from openpyxl import Workbook
from python_calamine import CalamineWorkbook


class FileError(ValueError):
    """The file as a whole cannot be read (wrong format, wrong encoding, missing columns)."""


@dataclass
class RowProblem:
    row: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.field}: {self.reason}"


@dataclass
class ImportReport:
    kind: str
    total: int = 0
    imported: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    dry_run: bool = False
    written: bool = False
    skipped: int = 0  # rows already imported earlier (same external reference)

    @property
    def bad_rows(self) -> int:
        return len({p.row for p in self.problems})

    def add(self, row: int, problems: dict[str, Any]) -> None:
        for name, reason in problems.items():
            messages = reason if isinstance(reason, list) else [reason]
            for message in messages:
                self.problems.append(RowProblem(row, name, str(message)))

    def refused(self, row: int, exc: ValidationError) -> None:
        """A row the checks refused: its field errors, or the whole row's."""
        self.add(row, exc.message_dict if hasattr(exc, "error_dict") else {"row": exc.messages})

    def as_text(self) -> str:
        lines = [f"{self.kind}: {self.total} rows, {self.imported} imported, {self.bad_rows} bad"]
        if self.skipped:
            lines[0] += f", {self.skipped} already imported"
        if self.dry_run:
            lines[0] += " (dry run: nothing written)"
        elif self.problems and not self.written:
            lines[0] += " (nothing written because of the bad rows)"
        lines += [f"  {p}" for p in self.problems]
        return "\n".join(lines)


def decode_text(data: bytes, encoding: str = "utf-8") -> str:
    try:
        return data.decode("utf-8-sig" if encoding.lower().replace("_", "-") in {"utf-8", "utf8"} else encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        hint = ""
        try:
            data.decode("gb18030")
            hint = (
                " It looks like GBK/GB18030 (as saved by Excel on Chinese Windows):"
                " save it as UTF-8 or give --encoding gb18030."
            )
        except UnicodeDecodeError:
            pass
        raise FileError(f"the file is not valid {encoding} text (line {line}, byte {exc.start}).{hint}") from None
    except LookupError:
        raise FileError(f"unknown encoding {encoding!r}") from None


def read_rows(
    source: Path | BinaryIO, *, name: str = "", encoding: str = "utf-8", required: Sequence[str] = ()
) -> list[tuple[int, dict[str, str]]]:
    """(row number as a spreadsheet shows it, {column: text}) for a .csv or .xlsx file."""
    name = name or str(getattr(source, "name", source))
    data = source.read_bytes() if isinstance(source, Path) else source.read()
    if name.lower().endswith(".xlsx"):
        rows = _xlsx_rows(data)
    elif name.lower().endswith(".csv"):
        rows = list(csv.reader(io.StringIO(decode_text(data, encoding))))
    else:
        raise FileError(f"{name}: use a .csv or .xlsx file")
    if not rows:
        raise FileError("the file is empty")
    header = [str(h or "").strip() for h in rows[0]]
    missing = [c for c in required if c not in header]
    if missing:
        raise FileError(f"missing column(s): {', '.join(missing)} (found: {', '.join(h for h in header if h)})")
    result = []
    for number, values in enumerate(rows[1:], start=2):
        if not any(str(v or "").strip() for v in values):
            continue
        result.append(
            (number, {h: str(v if v is not None else "").strip() for h, v in zip(header, values, strict=False) if h})
        )
    return result


def _xlsx_rows(data: bytes) -> list[list[Any]]:
    """The first sheet's cell values. calamine (Rust) reads 100,000 rows in about a second where openpyxl took
    twenty; it returns every number as a float, so whole numbers become ints again (codes, phones, counts)."""
    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # a broken or foreign file raises several error types
        raise FileError(f"not a readable .xlsx workbook ({exc.__class__.__name__})") from None
    return [[_whole(v) for v in row] for row in rows]


def _whole(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() and abs(value) < 1e15 else value


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM makes Excel open UTF-8 Chinese correctly


def write_xlsx(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run_import(
    report: ImportReport, rows: list[tuple[int, Any]], create: Callable[[Any], Any], *, skip_bad: bool, dry_run: bool
) -> ImportReport:
    """Run `create` for every row inside the caller's transaction, each in a savepoint so a bad row leaves
    nothing behind; any bad row rolls the whole import back unless `skip_bad`; `dry_run` always rolls back."""
    report.total, report.dry_run = len(rows), dry_run
    for number, row in rows:
        try:
            with transaction.atomic():
                create(row)
            report.imported += 1
        except ValidationError as exc:
            report.refused(number, exc)
    return finish_import(report, skip_bad=skip_bad, dry_run=dry_run)


def finish_import(report: ImportReport, *, skip_bad: bool, dry_run: bool) -> ImportReport:
    """Inside the import's transaction: roll it back for a dry run, or for any bad row unless `skip_bad`."""
    if dry_run or (report.problems and not skip_bad):
        transaction.set_rollback(True)
        if not dry_run:
            report.imported = 0
    else:
        report.written = True
    return report
