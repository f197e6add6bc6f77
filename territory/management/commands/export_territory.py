import json
from pathlib import Path

from django.core.management.base import BaseCommand

from territory import exports


class Command(BaseCommand):
    help = "Write grids.geojson, grids.xlsx, divisions.csv and divisions.xlsx of the whole territory into a folder."

    def add_arguments(self, parser):
        parser.add_argument("folder")

    def handle(self, *args, folder: str, **options):
        from accounts.models import User

        everyone = User(is_superuser=True, is_active=True, role="administrator")
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        (out / "grids.geojson").write_text(json.dumps(exports.grids_geojson(everyone), ensure_ascii=False), "utf-8")
        (out / "grids.xlsx").write_bytes(exports.grids_xlsx(everyone))
        (out / "divisions.csv").write_bytes(exports.divisions_csv(everyone))
        (out / "divisions.xlsx").write_bytes(exports.divisions_xlsx(everyone))
        self.stdout.write(f"wrote 4 files to {out}")
