"""The monthly report of the district for the last complete month of a 1,000,000-case history: figures,
charts, .docx and .xlsx, stored with their hashes (`command.report.do_generate_monthly_report`).

The ceiling, measured in the same run, is one bare read of that month's case rows into Python (tracking number,
description, category, place): the least any report that looks at its cases has to do.

    .venv/bin/python benchmarks/monthly_report.py [--cases 1000000]
"""

from __future__ import annotations

import argparse
import time

from _command_data import peak_rss_mib, prepare
from _common import db_vendor, emit

TARGET_S = 30.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    args = parser.parse_args()
    prepare(args.cases)
    from django.utils import timezone

    from cases.models import Case
    from command.report import do_generate_monthly_report, month_end, previous_month
    from territory.models import Division

    db = db_vendor()
    month = previous_month(timezone.localdate())
    district = Division.objects.get(level="district")
    started = time.perf_counter()
    rows = list(
        Case.objects.filter(created_at__date__gte=month, created_at__date__lte=month_end(month)).values_list(
            "tracking_no", "description", "category_id", "territory_code"
        )
    )
    ceiling = time.perf_counter() - started
    started = time.perf_counter()
    report = do_generate_monthly_report(month, district, acting_user="benchmark")
    seconds = time.perf_counter() - started
    emit("monthly_report", "month_cases", len(rows), "cases", target=None, ceiling=None, db=db)
    emit("monthly_report", "monthly_report_s", seconds, "s", target=TARGET_S, ceiling=ceiling, db=db)
    emit("monthly_report", "docx_kib", report.docx.size / 1024, "KiB", target=None, ceiling=None, db=db)
    emit("monthly_report", "peak_rss_mib", peak_rss_mib(), "MiB", target=2048, ceiling=None, db=db)


if __name__ == "__main__":
    main()
