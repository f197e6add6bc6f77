"""The columns of each kind of record and the pure checks of one row (no database): forms, the API, imports and
exports all use them, so a record is judged the same way whichever way it comes in.

A cleaner takes text or typed values keyed by column and returns model values, or raises ValidationError whose
keys are column names. Column headers may be the English key or the Chinese (GB/T 31000) name.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone, translation

from registry import choices as c
from registry.choices import CHECKSUM_ID_TYPES
from registry.validators import (
    IdentifierError,
    check_credit_code,
    check_identity_number,
    normalise_id_number,
    normalise_phone,
)


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    required: bool = False
    note: str = ""


PEOPLE_COLUMNS = (
    Column("name", "姓名", True),
    Column("id_type", "证件类型", note="resident_id（默认）、hmt_permit、foreign_permit、passport"),
    Column("id_number", "公民身份号码", note="18 位；单元格设为文本"),
    Column("sex", "性别", note="GB/T 2261.1：1 男 2 女；有身份号码时可空"),
    Column("birth_date", "出生日期", note="YYYY-MM-DD；有身份号码时可空"),
    Column("ethnicity", "民族", note="GB/T 3304 代码或名称"),
    Column("phone", "联系方式"),
    Column("residence_type", "人口类型", True, "registered 户籍人口 / floating 流动人口 / overseas 境外人员"),
    Column("house_code", "房屋编号", note="或填写 address"),
    Column("address", "现住门(楼)详址", note="与已登记房屋的地址完全一致"),
    Column("household_number", "户号"),
    Column("relation", "与户主关系", note="GB/T 4761：02 户主 10 配偶 20 子 30 女 …"),
    Column("domicile", "户籍地详址"),
    Column("inflow_reason", "流入原因", note="流动人口"),
    Column("certificate", "办证类型", note="流动人口"),
    Column("lodging", "住所类型", note="流动人口"),
    Column("nationality", "国籍", note="境外人员，GB/T 2659 三字母代码"),
    Column("since", "居住起始日期"),
)
HOUSE_COLUMNS = (
    Column("code", "房屋编号", note="空则自动生成"),
    Column("grid_code", "网格编码", note="15 位；或填写经纬度"),
    Column("lon", "经度"),
    Column("lat", "纬度"),
    Column("estate", "小区/自然村"),
    Column("building", "楼栋"),
    Column("unit", "单元"),
    Column("room", "室"),
    Column("address", "门(楼)详址", note="空则由小区、楼栋、单元、室组成"),
    Column("house_type", "房屋类别", True, "residential self_built mixed commercial factory dormitory"),
    Column("use", "房屋用途", True, "own 自住 / rented 出租 / vacant 空置 / commercial 经营"),
    Column("area_m2", "建筑面积"),
    Column("owner_id_number", "产权人公民身份号码", note="已登记的人"),
    Column("owner_name", "产权人姓名"),
    Column("owner_phone", "产权人联系方式"),
    Column("status", "房屋状态", note="planned building in_use demolished"),
)
ORGANISATION_COLUMNS = (
    Column("credit_code", "统一社会信用代码", True),
    Column("name", "名称", True),
    Column("kind", "组织类别", note="company individual social public；空则由信用代码推断"),
    Column("legal_rep", "法定代表人"),
    Column("legal_rep_id_number", "法定代表人公民身份号码"),
    Column("phone", "联系方式"),
    Column("address", "地址", True),
    Column("grid_code", "网格编码", note="或填写经纬度或房屋编号"),
    Column("lon", "经度"),
    Column("lat", "纬度"),
    Column("house_code", "房屋编号"),
    Column("industry", "行业"),
    Column("employees", "从业人数"),
    Column("registered_on", "成立日期"),
    Column("status", "登记状态", note="registered cancelled revoked"),
)
PLACE_COLUMNS = (
    Column("kind", "类别", note="key_place 重点场所 / hazard 危险源 / key_item 重点物品；空则由 category 推断"),
    Column("category", "分类", True),
    Column("name", "名称", True),
    Column("address", "地址", True),
    Column("grid_code", "网格编码", note="或填写经纬度"),
    Column("lon", "经度"),
    Column("lat", "纬度"),
    Column("responsible_name", "责任人", True),
    Column("responsible_phone", "责任人联系方式"),
    Column("risk_level", "风险等级", note="low medium high"),
    Column("organisation_credit_code", "所属单位统一社会信用代码"),
    Column("quantity", "数量"),
)
COLUMNS = {
    "people": PEOPLE_COLUMNS,
    "houses": HOUSE_COLUMNS,
    "organisations": ORGANISATION_COLUMNS,
    "places": PLACE_COLUMNS,
}


def header_map(kind: str, header: list[str]) -> tuple[dict[str, str], list[str]]:
    """{header as in the file: column key} and the required columns the file lacks."""
    aliases = {}
    for col in COLUMNS[kind]:
        aliases[col.key.lower()] = col.key
        aliases[col.zh] = col.key
    found = {h: aliases[h.strip().lower() if h.strip().isascii() else h.strip()] for h in header if _known(h, aliases)}
    missing = [f"{col.key} ({col.zh})" for col in COLUMNS[kind] if col.required and col.key not in found.values()]
    if kind == "people" and not {"house_code", "address"} & set(found.values()):
        missing.append("house_code (房屋编号) or address (现住门(楼)详址)")
    return found, missing


def _known(header: str, aliases: dict[str, str]) -> bool:
    h = header.strip()
    return (h.lower() if h.isascii() else h) in aliases


class Problems(dict):
    def add(self, key: str, message: str) -> None:
        self.setdefault(key, message)

    def raise_if_any(self) -> None:
        if self:
            raise ValidationError(dict(self))


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@cache
def _aliases(choices_cls: type[models.TextChoices]) -> dict[str, str]:
    """Every way a value may be written: code, English label, Chinese label, the Chinese term in brackets."""
    table: dict[str, str] = {}
    for value, label in choices_cls.choices:
        names = {str(value), str(label)}
        with translation.override("zh-hans"):
            names.add(str(choices_cls(value).label))
        for name in list(names):
            names.update(re.findall(r"[（(]([^）)]+)[）)]", name))
            names.add(re.sub(r"\s*[（(][^）)]*[）)]", "", name))
        for name in names:
            table[name.strip().lower()] = str(value)
    return table


SEX_WORDS = {"男": c.Sex.MALE, "女": c.Sex.FEMALE, "m": c.Sex.MALE, "f": c.Sex.FEMALE}
RESIDENCE_WORDS = {
    "户籍": c.ResidenceType.REGISTERED,
    "流动": c.ResidenceType.FLOATING,
    "境外": c.ResidenceType.OVERSEAS,
}


def choice(value: Any, choices_cls: type[models.TextChoices], *, extra: Mapping[str, str] | None = None) -> str:
    raw = text(value)
    if not raw:
        return ""
    key = raw.lower()
    if extra and key in extra:
        return str(extra[key])
    found = _aliases(choices_cls).get(key)
    if found is None and len(raw) == 1 and raw.isdigit():
        found = _aliases(choices_cls).get(f"0{raw}")  # Excel dropped the leading zero of "02"
    if found is None:
        allowed = ", ".join(str(v) for v in choices_cls.values)
        raise ValueError(f"{raw!r} is not one of {allowed}")
    return found


def _today() -> dt.date:
    """The local date, looked up once a second: an import checks hundreds of thousands of dates."""
    second = int(time.monotonic())
    if _TODAY[0] != second:
        _TODAY[:] = [second, timezone.localdate()]
    return _TODAY[1]


_TODAY: list[Any] = [None, None]


def date_value(value: Any, *, allow_future: bool = False) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        raw = text(value).split(" ")[0].replace("/", "-").replace(".", "-")
        raw = re.sub(r"^(\d{4})(\d{2})(\d{2})$", r"\1-\2-\3", raw)
        raw = re.sub(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$", r"\1-\2-\3", raw)
        try:
            year, month, day_no = (int(p) for p in raw.split("-"))
            day = dt.date(year, month, day_no)
        except ValueError:
            raise ValueError(f"{text(value)!r} is not a date (use YYYY-MM-DD)") from None
    if not allow_future and day > _today():
        raise ValueError(f"{day.isoformat()} is in the future")
    if day.year < 1890:
        raise ValueError(f"{day.isoformat()} is too long ago")
    return day


def float_value(value: Any, *, low: float | None = None, high: float | None = None) -> float | None:
    raw = text(value)
    if not raw:
        return None
    try:
        number = float(raw)
    except ValueError:
        raise ValueError(f"{raw!r} is not a number") from None
    if (low is not None and number < low) or (high is not None and number > high):
        raise ValueError(f"{raw} is out of range")
    return number


def int_value(value: Any, *, low: int = 0) -> int | None:
    number = float_value(value, low=low)
    if number is None:
        return None
    if not number.is_integer():
        raise ValueError(f"{number} is not a whole number")
    return int(number)


class Cleaner:
    """Collects one problem per column while cleaning a row."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw, self.problems = raw, Problems()
        self.values: dict[str, Any] = {}

    def take(self, key: str, parse: Callable[[Any], Any], *, required: bool = False, label: str = "") -> Any:
        value = self.raw.get(key)
        if required and text(value) == "":
            self.problems.add(key, f"{label or key} is required")
            return None
        try:
            result = parse(value)
        except (ValueError, IdentifierError) as exc:
            self.problems.add(key, str(exc))
            return None
        self.values[key] = result
        return result

    def string(self, key: str, max_length: int, *, required: bool = False) -> str:
        def parse(value: Any) -> str:
            raw = text(value)
            if len(raw) > max_length:
                raise ValueError(f"longer than {max_length} characters")
            return raw

        return self.take(key, parse, required=required) or ""


def clean_location(cl: Cleaner) -> None:
    grid = cl.take("grid_code", _grid_code)
    lon = cl.take("lon", lambda v: float_value(v, low=73, high=136))
    lat = cl.take("lat", lambda v: float_value(v, low=3, high=54))
    if (lon is None) != (lat is None) and "lon" not in cl.problems and "lat" not in cl.problems:
        cl.problems.add("lon" if lon is None else "lat", "give both longitude and latitude")
    del grid


def _grid_code(value: Any) -> str:
    raw = text(value)
    if raw and not re.fullmatch(r"\d{15}", raw):
        raise ValueError(f"{raw!r} is not a 15-digit grid code")
    return raw


def clean_person(raw: Mapping[str, Any], *, today: dt.date | None = None) -> dict[str, Any]:
    cl = Cleaner(raw)
    name = cl.string("name", 50, required=True)
    if name and re.search(r"\d", name):
        cl.problems.add("name", "a name has no digits")
    id_type = cl.take("id_type", lambda v: choice(v, c.IdType) or c.IdType.RESIDENT_ID)
    residence = cl.take("residence_type", lambda v: choice(v, c.ResidenceType, extra=RESIDENCE_WORDS), required=True)
    sex = cl.take("sex", lambda v: choice(v, c.Sex, extra=SEX_WORDS))
    birth = cl.take("birth_date", date_value)
    number = cl.take("id_number", lambda v: normalise_id_number(v) or None)
    if number and id_type in CHECKSUM_ID_TYPES:
        try:
            facts = check_identity_number(number, today=today)
        except IdentifierError as exc:
            cl.problems.add("id_number", str(exc))
        else:
            if birth and birth != facts.birth_date and "birth_date" not in cl.problems:
                cl.problems.add("birth_date", f"does not match the identity number ({facts.birth_date.isoformat()})")
            if sex and sex != facts.sex and sex in (c.Sex.MALE, c.Sex.FEMALE):
                cl.problems.add("sex", f"does not match the identity number ({c.Sex(facts.sex).label})")
            cl.values["birth_date"], cl.values["sex"] = facts.birth_date, facts.sex
    elif number and not re.fullmatch(r"[A-Z0-9]{5,30}", number):
        cl.problems.add("id_number", f"{number!r} is not a document number (5–30 letters and digits)")
    if not number and "id_number" not in cl.problems:
        young = birth and (today or _today()).year - birth.year < 16
        if not young:
            cl.problems.add("id_number", "required (only children under 16 may be registered without one)")
    if residence == c.ResidenceType.OVERSEAS and id_type == c.IdType.RESIDENT_ID:
        cl.problems.add("id_type", "an overseas person is registered with a passport or foreign permanent residence ID")
    if residence == c.ResidenceType.REGISTERED and id_type not in (c.IdType.RESIDENT_ID, None):
        cl.problems.add("id_type", "a registered resident has a resident identity card")
    cl.values["sex"] = cl.values.get("sex") or c.Sex.UNKNOWN
    cl.take("ethnicity", _ethnicity)
    cl.take("phone", normalise_phone)
    cl.take("relation", lambda v: choice(v, c.Relation))
    cl.take("inflow_reason", lambda v: choice(v, c.InflowReason))
    cl.take("certificate", lambda v: choice(v, c.Certificate))
    cl.take("lodging", lambda v: choice(v, c.Lodging))
    nationality = cl.take("nationality", _nationality)
    if residence == c.ResidenceType.OVERSEAS and not nationality and "nationality" not in cl.problems:
        cl.problems.add("nationality", "required for an overseas person (GB/T 2659 code such as KOR, USA)")
    cl.take("since", date_value)
    cl.string("domicile", 200)
    cl.string("house_code", 24)
    cl.string("address", 200)
    cl.string("household_number", 30)
    cl.problems.raise_if_any()
    return cl.values


def _ethnicity(value: Any) -> str:
    raw = text(value)
    if not raw:
        return ""
    if raw.isdigit() and raw.zfill(2) in c.ETHNIC_GROUPS:
        return raw.zfill(2)
    for code, name in c.ETHNIC_GROUPS.items():
        if raw in (name, name.removesuffix("族")):
            return code
    raise ValueError(f"{raw!r} is not a GB/T 3304 ethnic group")


def _nationality(value: Any) -> str:
    raw = text(value).upper()
    if raw and not re.fullmatch(r"[A-Z]{3}", raw):
        raise ValueError(f"{raw!r} is not a three-letter GB/T 2659 country code")
    return raw


def compose_address(estate: str, building: str, unit: str, room: str) -> str:
    parts = [estate]
    if building:
        parts.append(building if building.endswith(("幢", "栋", "号楼", "号")) else f"{building}幢")
    if unit:
        parts.append(unit if unit.endswith("单元") else f"{unit}单元")
    if room:
        parts.append(room if room.endswith(("室", "号")) else f"{room}室")
    return "".join(p for p in parts if p)


def clean_house(raw: Mapping[str, Any]) -> dict[str, Any]:
    cl = Cleaner(raw)
    code = cl.string("code", 24)
    if code and not re.fullmatch(r"[0-9A-Za-z-]{4,24}", code):
        cl.problems.add("code", f"{code!r} is not a house code (4–24 letters, digits or -)")
    clean_location(cl)
    estate, building = cl.string("estate", 100), cl.string("building", 20)
    unit, room = cl.string("unit", 20), cl.string("room", 20)
    address = cl.string("address", 200) or compose_address(estate, building, unit, room)
    if not address and "address" not in cl.problems:
        cl.problems.add("address", "give the address or the estate, building, unit and room")
    cl.values["address"] = address
    cl.take("house_type", lambda v: choice(v, c.HouseType), required=True)
    cl.take("use", lambda v: choice(v, c.HouseUse), required=True)
    cl.take("area_m2", lambda v: float_value(v, low=1, high=100_000))
    owner = cl.take("owner_id_number", lambda v: normalise_id_number(v))
    if owner:
        try:
            check_identity_number(owner)
        except IdentifierError as exc:
            cl.problems.add("owner_id_number", str(exc))
    cl.string("owner_name", 100)
    cl.take("owner_phone", normalise_phone)
    cl.take("status", lambda v: choice(v, c.HouseStatus) or c.HouseStatus.IN_USE)
    cl.problems.raise_if_any()
    return cl.values


def kind_from_credit_code(code: str) -> str:
    """GB 32100 characters 1–2: 9x market regulation (92 = individual business), 5x civil affairs, 1x/12 public."""
    if code.startswith("92"):
        return c.OrganisationKind.INDIVIDUAL
    if code.startswith("5"):
        return c.OrganisationKind.SOCIAL
    if code.startswith("1"):
        return c.OrganisationKind.PUBLIC
    return c.OrganisationKind.COMPANY


def clean_organisation(raw: Mapping[str, Any]) -> dict[str, Any]:
    cl = Cleaner(raw)
    code = cl.take("credit_code", check_credit_code, required=True)
    cl.string("name", 200, required=True)
    kind = cl.take("kind", lambda v: choice(v, c.OrganisationKind))
    if not kind and code:
        cl.values["kind"] = kind_from_credit_code(code)
    cl.string("legal_rep", 50)
    rep_id = cl.take("legal_rep_id_number", normalise_id_number)
    if rep_id:
        try:
            check_identity_number(rep_id)
        except IdentifierError as exc:
            cl.problems.add("legal_rep_id_number", str(exc))
    cl.take("phone", normalise_phone)
    cl.string("address", 200, required=True)
    clean_location(cl)
    cl.string("house_code", 24)
    cl.string("industry", 100)
    cl.take("employees", int_value)
    cl.take("registered_on", date_value)
    cl.take("status", lambda v: choice(v, c.OrganisationStatus) or c.OrganisationStatus.REGISTERED)
    cl.problems.raise_if_any()
    return cl.values


def kind_of_category(category: str) -> str:
    return next(str(kind) for kind, cats in c.PLACE_CATEGORIES.items() if category in cats)


def clean_place(raw: Mapping[str, Any]) -> dict[str, Any]:
    cl = Cleaner(raw)
    category = cl.take("category", lambda v: choice(v, c.PlaceCategory), required=True)
    kind = cl.take("kind", lambda v: choice(v, c.PlaceKind))
    if category:
        expected = kind_of_category(category)
        if kind and kind != expected:
            cl.problems.add("category", f"{category} is a {expected}, not a {kind}")
        cl.values["kind"] = expected
    cl.string("name", 200, required=True)
    cl.string("address", 200, required=True)
    clean_location(cl)
    cl.string("responsible_name", 50, required=True)
    cl.take("responsible_phone", normalise_phone)
    cl.take("risk_level", lambda v: choice(v, c.RiskLevel) or c.RiskLevel.LOW)
    cl.take("organisation_credit_code", lambda v: check_credit_code(v) if text(v) else "")
    cl.string("quantity", 100)
    cl.problems.raise_if_any()
    return cl.values


CLEANERS: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    "people": clean_person,
    "houses": clean_house,
    "organisations": clean_organisation,
    "places": clean_place,
}
