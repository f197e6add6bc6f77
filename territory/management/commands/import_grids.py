from django.core.management.base import CommandError

from core.management.base import ActingCommand
from core.tabular import FileError
from territory.importers import do_import_grids, parse_feature_collection


class Command(ActingCommand):
    help = (
        "Import grids from a GeoJSON FeatureCollection (properties code, name, kind, community_code; Polygon "
        "geometry in WGS-84). Nothing is written if any feature is bad, unless --skip-bad."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("file")
        parser.add_argument("--skip-bad", action="store_true", help="import the good features and report the bad ones")
        parser.add_argument("--dry-run", action="store_true", help="check every feature, write nothing")

    def handle(self, *args, **options):
        try:
            features = parse_feature_collection(self.existing_file(options["file"]).read_bytes())
        except FileError as exc:
            raise CommandError(f"{options['file']}: {exc}") from None
        report = do_import_grids(
            features, acting_user=self.acting_user(options), skip_bad=options["skip_bad"], dry_run=options["dry_run"]
        )
        self.stdout.write(report.as_text().replace("row ", "feature "))
        if report.problems and not options["skip_bad"]:
            raise CommandError(f"{report.bad_rows} bad feature(s); nothing imported")
