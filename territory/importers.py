"""Bulk import of divisions (.csv/.xlsx) and grids (GeoJSON). All or nothing, unless skip_bad is asked for."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.actions import action
from core.tabular import FileError, ImportReport, decode_text, run_import
from territory.actions import create_division, create_grid

DIVISION_COLUMNS = ("code", "name", "kind", "parent_code")


@action
def do_import_divisions(
    rows: list[tuple[int, dict[str, str]]], *, acting_user: Any, skip_bad: bool = False, dry_run: bool = False
) -> ImportReport:
    """Rows from read_rows(); parents are created before children whatever the file's order."""
    ordered = sorted(rows, key=lambda item: (len(item[1].get("code", "")), item[0]))

    def create(row: dict[str, str]) -> None:
        geometry = None
        if row.get("geometry"):
            try:
                geometry = json.loads(row["geometry"])
            except json.JSONDecodeError as exc:
                raise ValidationError(
                    {
                        "geometry": _("not valid GeoJSON: %(msg)s at character %(pos)s")
                        % {"msg": exc.msg, "pos": exc.pos}
                    }
                ) from None
        create_division(
            code=row.get("code", ""),
            name=row.get("name", ""),
            kind=row.get("kind", ""),
            parent_code=row.get("parent_code") or None,
            geometry=geometry,
            acting_user=acting_user,
        )

    report = run_import(ImportReport("divisions"), ordered, create, skip_bad=skip_bad, dry_run=dry_run)
    report.problems.sort(key=lambda p: p.row)
    return report


def parse_feature_collection(data: bytes, encoding: str = "utf-8") -> list[tuple[int, dict[str, Any]]]:
    """(feature number, feature) pairs; FileError for anything that is not a FeatureCollection."""
    try:
        doc = json.loads(decode_text(data, encoding))
    except json.JSONDecodeError as exc:
        raise FileError(f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise FileError("expected a GeoJSON FeatureCollection with a list of features")
    return list(enumerate(doc["features"], start=1))


@action
def do_import_grids(
    features: list[tuple[int, dict[str, Any]]], *, acting_user: Any, skip_bad: bool = False, dry_run: bool = False
) -> ImportReport:
    """Features with properties code, name, kind, community_code and a Polygon geometry."""

    def create(feature: Any) -> None:
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise ValidationError({"feature": _("not a GeoJSON Feature")})
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            raise ValidationError({"properties": _("must be an object")})
        create_grid(
            code=str(props.get("code", "")),
            name=str(props.get("name", "")),
            kind=str(props.get("kind") or "residential"),
            community_code=str(props.get("community_code", "")),
            geometry=feature.get("geometry"),
            acting_user=acting_user,
        )

    return run_import(ImportReport("grids"), features, create, skip_bad=skip_bad, dry_run=dry_run)
