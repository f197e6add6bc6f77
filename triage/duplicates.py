"""Duplicates and related cases (归并): for every new case, the earlier cases of the time window that may report
the same matter, from any channel, each with a score and the reasons.

Method. Text is normalised (NFKC, lower case, greetings and courtesy phrases removed, only letters and digits kept)
and cut into character bigrams, the usual unit for Chinese without a word segmenter. A MinHash signature of
BANDS × ROWS values (multiply-shift hashes of the bigram ids) is split into BANDS bands; each band value is one
`DuplicateBand` row (band, case, created_at) under a composite index. Two texts whose bigram Jaccard similarity is J
share at least one band with probability 1 − (1 − J^ROWS)^BANDS: about 95 % at J = 0.6, 80 % at 0.5, and well under
1 % for unrelated texts, so one indexed `band IN (…) AND created_at BETWEEN …` query, counted per case, yields a few
dozen candidates out of a million without reading any text. Earlier cases from the same phone or account are added
from the profile's own indexes. Only those few are scored exactly (`score`): bigram similarity of the texts, distance
(or same grid / community / street when there is no point), same category, same reporter, time apart. MinHash was
chosen over TF-IDF cosine because its index is a plain B-tree lookup that needs no vocabulary or refit as cases
arrive, and over SimHash because the bands' collision curve is tunable and bigram Jaccard is what the exact score
uses anyway.

Exact repeats (same phone or account, same normalised text, within DUPLICATES_AUTO_MERGE_HOURS, score at least
DUPLICATES_AUTO_MERGE_SCORE) are merged at intake through `cases.actions.merge` in a savepoint of the intake's
transaction: the case log and the audit get the merge, and a merge that cannot happen leaves the case as filed.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import math
import re
import threading
import unicodedata
from collections import OrderedDict, defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases.choices import FINAL_STATUSES, Status
from cases.models import Case
from core import audit
from core.actions import action
from core.bulk import aware, insert
from core.context import request_id_as
from core.memo import memoized
from triage.models import DuplicateBand, DuplicateCandidate, DuplicateProfile

BANDS = 12
ROWS = 3
BAND_CANDIDATES = 30  # most band-sharing cases scored exactly
REPORTER_CANDIDATES = 20
HOT_BAND_LIMIT = 200  # newest cases read per band value in the window (search and triage_index)
AUTO_ACTOR = "triage"
NOT_CANDIDATES = (Status.MERGED, Status.INVALID)  # a merged or invalid case is no master

_rng = np.random.default_rng(20261202)
_A = (_rng.integers(1, 2**63, size=BANDS * ROWS, dtype=np.uint64) << np.uint64(1)) | np.uint64(1)
_B = _rng.integers(0, 2**63, size=BANDS * ROWS, dtype=np.uint64)
_MIX = (_rng.integers(1, 2**63, size=(1, ROWS), dtype=np.uint64) << np.uint64(1)) | np.uint64(1)
_BAND_SALT = _rng.integers(0, 2**63, size=BANDS, dtype=np.uint64)

COURTESY = re.compile(
    r"尊敬的(各位)?(领导|同志|工作人员|书记|市长|区长)?(们)?|(各位)?领导(们)?|(你|您)们?好|谢谢(您|你)?(们)?|感谢|此致|敬礼"
    r"|麻烦(你|您)?(们)?(了)?|辛苦(了)?|请(你们|您)?(尽快|及时|帮忙|赶紧)(处理|解决|看看)(一下)?|盼复|望回复"
)
KEEP = re.compile(r"[^\w]|_", re.UNICODE)

# ---------------------------------------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------------------------------------


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").lower()
    return KEEP.sub("", COURTESY.sub("", text))[:1000]


def text_key(norm: str) -> str:
    return hashlib.blake2b(norm.encode(), digest_size=8).hexdigest() if norm else ""


@functools.lru_cache(maxsize=8192)  # a probe is scored against ~30 earlier texts, and recent texts recur
def bigrams(norm: str) -> frozenset[str]:
    if len(norm) < 2:
        return frozenset({norm} if norm else ())
    return frozenset(norm[i : i + 2] for i in range(len(norm) - 1))


def text_similarity(a: str, b: str) -> float:
    """Mean of bigram Jaccard and overlap (a short report inside a longer one still counts)."""
    x, y = bigrams(a), bigrams(b)
    if not x or not y:
        return 0.0
    common = len(x & y)
    return 0.5 * common / len(x | y) + 0.5 * common / min(len(x), len(y))


def band_values(norm: str) -> list[int]:
    """The BANDS band values of the text's MinHash signature (signed 64-bit, band number mixed in)."""
    if not norm:
        return []
    codes = np.frombuffer(norm.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    ids = np.unique((codes[:-1] << np.uint64(21)) | codes[1:]) if len(codes) > 1 else codes
    hashed = (_A[:, None] * ids[None, :] + _B[:, None]) >> np.uint64(32)
    signature = hashed.min(axis=1).reshape(BANDS, ROWS)
    keys = (signature * _MIX).sum(axis=1, dtype=np.uint64) ^ _BAND_SALT
    keys ^= keys >> np.uint64(29)
    return keys.view(np.int64).tolist()


# ---------------------------------------------------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------------------------------------------------


@dataclass
class Probe:
    """What is compared of one case (a `DuplicateProfile` row or a case not yet stored)."""

    case_id: int | None
    created_at: dt.datetime
    text: str
    text_key: str = ""
    phone: str = ""
    reporter_id: int | None = None
    category_id: int | None = None
    category_top: str = ""
    territory_code: str = ""
    lon: float | None = None
    lat: float | None = None

    @classmethod
    def of_case(cls, case: Case) -> Probe:
        norm = normalise(f"{case.title} {case.description}" if case.title else case.description)
        top = category_tops().get(case.category_id, "")
        return cls(
            case_id=case.pk,
            created_at=case.created_at,
            text=norm,
            text_key=text_key(norm),
            phone=case.reporter_phone or "",
            reporter_id=case.reporter_id,
            category_id=case.category_id,
            category_top=top,
            territory_code=case.territory_code or "",
            lon=case.lon,
            lat=case.lat,
        )

    @classmethod
    def of_row(cls, row: dict[str, Any]) -> Probe:
        return cls(**{k: row[k] for k in PROFILE_FIELDS})

    def row(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in PROFILE_FIELDS}


PROFILE_FIELDS = tuple(f.name for f in fields(Probe))  # the profile's columns; _candidates builds Probes in this order


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return 6_371_000 * math.hypot(x, math.radians(lat2 - lat1))


def _place(a: Probe, b: Probe) -> tuple[float, str, int | None]:
    """How near the two places are, 0..1, and the reason's code ("" for none) and value."""
    if a.lon is not None and a.lat is not None and b.lon is not None and b.lat is not None:
        d = distance_m(a.lon, a.lat, b.lon, b.lat)
        return max(0.0, min(1.0, 1 - (d - 150) / 1350)), "distance", round(d)
    ta, tb = a.territory_code, b.territory_code
    if ta and ta == tb:
        return 0.9, "same_grid" if len(ta) == 15 else "same_community", None
    if len(ta) >= 12 and ta[:12] == tb[:12]:
        return 0.7, "same_community", None
    if len(ta) >= 9 and ta[:9] == tb[:9]:
        return 0.3, "same_street", None
    return 0.0, "", None


def _reporter(a: Probe, b: Probe) -> tuple[float, str]:
    if a.phone and a.phone == b.phone:
        return 1.0, "same_phone"
    if a.reporter_id is not None and a.reporter_id == b.reporter_id:
        return 1.0, "same_account"
    return 0.0, ""


def _value(t: float, c: float, near: float, p: float, r: float) -> float:
    """The score of text t, category c, time near, place p and reporter r (each 0..1), see score()."""
    matter = 0.7 * t + 0.1 * c + 0.1 * near
    return round(min(1.0, matter * (0.5 + 0.5 * p) + 0.15 * r), 4)


def within_reach(a: Probe, b: Probe, min_score: float) -> bool:
    """Whether `b` could score `min_score` against `a` at best (the same text and category at the same moment):
    where they are and who reported them decide it before the texts are compared. Most of a hot text's band
    matches are the same complaint somewhere else in the district, which no text can bring within reach."""
    return _value(1.0, 1.0, 1.0, _place(a, b)[0], _reporter(a, b)[0]) >= min_score


def score(
    a: Probe, b: Probe, *, window_days: float | None = None, min_score: float | None = None
) -> tuple[float, list[dict]]:
    """How likely `a` repeats `b`, 0..1, and why. The matter (0.7 text + 0.1 category + 0.1 time) counts in full at
    the same place and half as much far away (the same complaint about another place is another case); the same
    reporter adds 0.15. Below `min_score` the reasons are left empty (the search scores dozens of pairs per case
    and keeps a few)."""
    window = window_days if window_days is not None else settings.DUPLICATES_WINDOW_DAYS
    same_text = bool(a.text_key) and a.text_key == b.text_key
    t = 1.0 if same_text else text_similarity(a.text, b.text)
    p, where, distance = _place(a, b)
    if a.category_id is not None and a.category_id == b.category_id:
        c, kind = 1.0, "same_category"
    elif a.category_top and a.category_top == b.category_top:
        c, kind = 0.5, "same_top_category"
    else:
        c, kind = 0.0, ""
    r, reporter = _reporter(a, b)
    hours = abs((a.created_at - b.created_at).total_seconds()) / 3600
    near = max(0.0, 1 - hours / (24 * window)) if window > 0 else 0.0
    value = _value(t, c, near, p, r)
    if min_score is not None and value < min_score:
        return value, []
    reasons: list[dict] = [{"code": "same_text"} if same_text else {"code": "text", "value": round(100 * t)}]
    if where:
        reasons.append({"code": where} if distance is None else {"code": where, "value": distance})
    if kind:
        reasons.append({"code": kind})
    if reporter:
        reasons.append({"code": reporter})
    if hours < 48:
        reasons.append({"code": "hours", "value": max(1, math.ceil(hours))})
    else:
        reasons.append({"code": "days", "value": math.ceil(hours / 24)})
    return value, reasons


def reason_text(reason: dict) -> str:
    code, value = reason.get("code"), reason.get("value")
    texts: dict[str, Callable[[], str]] = {
        "text": lambda: _("description %(pct)s%% similar") % {"pct": value},
        "same_text": lambda: _("same description"),
        "distance": lambda: _("%(m)s m apart") % {"m": value},
        "same_grid": lambda: _("same grid"),
        "same_community": lambda: _("same community"),
        "same_street": lambda: _("same street"),
        "same_category": lambda: _("same category"),
        "same_top_category": lambda: _("same kind of matter"),
        "same_phone": lambda: _("same caller number"),
        "same_account": lambda: _("same reporter account"),
        "hours": lambda: ngettext("within %(n)s hour", "within %(n)s hours", value or 0) % {"n": value},
        "days": lambda: ngettext("within %(n)s day", "within %(n)s days", value or 0) % {"n": value},
    }
    return texts[code]() if code in texts else str(code)


# ---------------------------------------------------------------------------------------------------------------------
# Search
# ---------------------------------------------------------------------------------------------------------------------


@dataclass
class Found:
    other_id: int
    score: float
    reasons: list[dict] = field(default_factory=list)
    hours: float = 0.0

    @property
    def codes(self) -> set[str]:
        return {r["code"] for r in self.reasons}


# The candidates' queries are written out: they run on every intake, and building the ORM's querysets cost more
# than the database's work on them. They answer (case id, profile stamp) keys; the profiles themselves come from
# this process's copy (_PROFILES) or one query for the batch's missing ones.
Key = tuple[int, Any]  # (case id, its profile's creation stamp: the stored text on SQLite, the datetime on PostgreSQL)


def _key(probe: Probe) -> Key:
    assert probe.case_id is not None
    if connection.vendor == "sqlite":
        return probe.case_id, connection.ops.adapt_datetimefield_value(probe.created_at)
    return probe.case_id, probe.created_at


def _candidate_keys(
    items: list[tuple[Probe, list[int]]], window_days: float, batch_end: int | None = None
) -> list[list[Key]]:
    """For each (probe, its bands): the Keys of the cases of its window sharing most bands with it (each band value
    read for at most its HOT_BAND_LIMIT newest rows: one bounded backward range of the index, so a text repeated
    thousands of times costs no more; the BAND_CANDIDATES sharing most) and of the reporter's newest earlier cases
    (REPORTER_CANDIDATES, by phone or account: the profile's two indexes). The probe's own case is left out, and with
    it the cases filed after it in the same batch (ids up to `batch_end`). PostgreSQL answers the whole batch in
    one statement (a round trip and a plan per probe cost it more than the reads); SQLite, in the same process,
    one statement per probe."""
    span = dt.timedelta(days=window_days)
    if connection.vendor == "postgresql":
        picks = _candidate_keys_pg(items, span)
    else:
        picks = [_candidate_keys_one(probe, bands, probe.created_at - span) for probe, bands in items]
    out = []
    for (probe, _bands), keys in zip(items, picks, strict=True):
        own = probe.case_id or 0
        after = max(own, batch_end or 0)
        out.append([k for k in keys if k[0] < own or k[0] > after])
    return out


def _candidate_keys_pg(items: list[tuple[Probe, list[int]]], span: dt.timedelta) -> list[list[Key]]:
    """The batch's band and reporter picks in one statement: the probes' (number, band, window) and (number, phone,
    account, window) as arrays, each row joined LATERAL to its bounded index range, ranked per probe. The stamps
    are read with the ids (a band row carries its profile's created_at), so no profile is joined."""
    bands = connection.ops.quote_name(DuplicateBand._meta.db_table)
    profiles = connection.ops.quote_name(DuplicateProfile._meta.db_table)
    by_band: tuple[list[Any], ...] = ([], [], [], [])
    by_reporter: tuple[list[Any], ...] = ([], [], [], [], [])
    for n, (probe, values) in enumerate(items):
        lo, hi = probe.created_at - span, probe.created_at
        for value in values:
            for column, v in zip(by_band, (n, value, lo, hi), strict=True):
                column.append(v)
        if probe.phone or probe.reporter_id is not None:
            for column, v in zip(by_reporter, (n, probe.phone or None, probe.reporter_id, lo, hi), strict=True):
                column.append(v)
    mine = " UNION ".join(
        f"(SELECT case_id, created_at FROM {profiles} WHERE {column} = r.{column} AND created_at >= r.lo"
        f" AND created_at <= r.hi ORDER BY created_at DESC LIMIT {REPORTER_CANDIDATES})"
        for column in ("phone", "reporter_id")
    )
    sql = (
        f"WITH hits AS (SELECT p.n, hit.case_id, COUNT(*) AS shared, MAX(hit.created_at) AS created_at"
        f" FROM unnest(%s::int[], %s::bigint[], %s::timestamptz[], %s::timestamptz[]) AS p(n, band, lo, hi)"
        f" CROSS JOIN LATERAL (SELECT case_id, created_at FROM {bands} WHERE band = p.band AND created_at >= p.lo"
        f" AND created_at <= p.hi ORDER BY created_at DESC LIMIT {HOT_BAND_LIMIT}) AS hit GROUP BY p.n, hit.case_id),"
        f" ranked AS (SELECT n, case_id, created_at,"
        f" ROW_NUMBER() OVER (PARTITION BY n ORDER BY shared DESC, case_id DESC) AS place FROM hits),"
        f" mine AS (SELECT r.n, m.case_id, m.created_at"
        f" FROM unnest(%s::int[], %s::text[], %s::int[], %s::timestamptz[], %s::timestamptz[])"
        f" AS r(n, phone, reporter_id, lo, hi)"
        f" CROSS JOIN LATERAL (SELECT case_id, created_at FROM ({mine}) AS u ORDER BY created_at DESC"
        f" LIMIT {REPORTER_CANDIDATES}) AS m)"
        f" SELECT n, case_id, created_at FROM ranked WHERE place <= {BAND_CANDIDATES}"
        f" UNION SELECT n, case_id, created_at FROM mine"
    )
    out: list[list[Key]] = [[] for _ in items]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*by_band, *by_reporter])
        for n, case_id, stamp in cursor.fetchall():
            out[n].append((case_id, stamp))
    return out


def _candidate_keys_one(probe: Probe, bands: list[int], since: dt.datetime) -> list[Key]:
    """One probe's picks on SQLite: a UNION ALL of one bounded range per band value, counted, and the reporter's
    earlier cases, inside one IN over a UNION that reads the stamps."""
    band_table = connection.ops.quote_name(DuplicateBand._meta.db_table)
    profiles = connection.ops.quote_name(DuplicateProfile._meta.db_table)
    lo, hi = (connection.ops.adapt_datetimefield_value(v) for v in (since, probe.created_at))
    picks: list[str] = []
    params: list[Any] = []
    if bands:
        one = (
            f"SELECT * FROM (SELECT case_id FROM {band_table} WHERE band = %s AND created_at >= %s"
            f" AND created_at <= %s ORDER BY created_at DESC LIMIT {HOT_BAND_LIMIT}) AS b{{n}}"
        )
        union = " UNION ALL ".join(one.format(n=n) for n in range(len(bands)))
        picks.append(
            f"SELECT case_id FROM ({union}) AS hits GROUP BY case_id ORDER BY COUNT(*) DESC, case_id DESC"
            f" LIMIT {BAND_CANDIDATES}"
        )
        params += [value for band in bands for value in (band, lo, hi)]
    mine: list[str] = []
    for column, value in (("phone", probe.phone or None), ("reporter_id", probe.reporter_id)):
        if value is not None:
            mine.append(
                f"SELECT * FROM (SELECT case_id, created_at FROM {profiles} WHERE {column} = %s AND created_at >= %s"
                f" AND created_at <= %s ORDER BY created_at DESC LIMIT {REPORTER_CANDIDATES}) AS r{len(mine)}"
            )
            params += [value, lo, hi]
    if mine:
        picks.append(
            f"SELECT case_id FROM ({' UNION '.join(mine)}) AS mine ORDER BY created_at DESC LIMIT {REPORTER_CANDIDATES}"
        )
    if not picks:
        return []
    # The CAST keeps SQLite's converter from parsing the stamp (it parses a plain column only).
    ids = " UNION ".join(f"SELECT case_id FROM ({q}) AS pick{n}" for n, q in enumerate(picks))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT case_id, CAST(created_at AS TEXT) FROM {profiles} WHERE case_id IN ({ids})", params)
        return cursor.fetchall()  # (case_id, stamp) tuples: Keys


class _ProfileCache:
    """This process's copy of the profiles it read or wrote lately, by Key. A profile never changes once written;
    a case id that comes back after a rollback (SQLite numbers from the highest committed id) or a reset of the
    database comes with another creation stamp, so a Key never names two profiles. Oldest first out."""

    def __init__(self) -> None:
        self.items: OrderedDict[Key, Probe] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Key) -> Probe | None:
        return self.items.get(key)

    def put(self, pairs: Iterable[tuple[Key, Probe]]) -> None:
        size = settings.DUPLICATES_PROFILE_CACHE
        with self.lock:
            self.items.update(pairs)
            while len(self.items) > size:
                self.items.popitem(last=False)  # (a plain dict would have to skip the holes left at its front)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


_PROFILES = _ProfileCache()
FETCH = 500  # ids per statement


def _chunks(ids: list[int]) -> Iterator[tuple[list[int], str]]:
    """`ids`, FETCH at a time, each chunk with its "%s, %s, …" placeholders."""
    for start in range(0, len(ids), FETCH):
        chunk = ids[start : start + FETCH]
        yield chunk, ", ".join(["%s"] * len(chunk))


def _profiles(keys: set[Key]) -> dict[Key, Probe]:
    """The profiles of these Keys: from this process's copy, the rest read in one statement per FETCH ids."""
    got = {k: p for k in keys if (p := _PROFILES.get(k)) is not None}
    missing = {k[0]: k for k in keys if k not in got}
    table = connection.ops.quote_name(DuplicateProfile._meta.db_table)
    ids = sorted(missing)
    read = []
    with connection.cursor() as cursor:
        for chunk, marks in _chunks(ids):
            cursor.execute(f"SELECT {', '.join(PROFILE_FIELDS)} FROM {table} WHERE case_id IN ({marks})", chunk)
            # PROFILE_FIELDS are Probe's fields in order
            read += [(missing[r[0]], Probe(r[0], aware(r[1]), *r[2:])) for r in cursor.fetchall()]
    _PROFILES.put(read)
    got.update(read)
    return got


def _not_candidates(ids: list[int]) -> set[int]:
    """Which of `ids` are merged or invalid by now."""
    table = connection.ops.quote_name(Case._meta.db_table)
    statuses = sorted(NOT_CANDIDATES)
    gone: set[int] = set()
    with connection.cursor() as cursor:
        for chunk, marks in _chunks(ids):
            cursor.execute(
                f"SELECT id FROM {table} WHERE id IN ({marks}) AND status IN ({', '.join(['%s'] * len(statuses))})",
                [*chunk, *statuses],
            )
            gone.update(row[0] for row in cursor.fetchall())
    return gone


def find(
    probe: Probe,
    bands: list[int] | None = None,
    *,
    limit: int | None = None,
    min_score: float | None = None,
    window_days: float | None = None,
    batch_end: int | None = None,
) -> list[Found]:
    """The best earlier cases of the window for `probe` (find_many for one)."""
    bands = bands if bands is not None else band_values(probe.text)
    (found,) = find_many(
        [(probe, bands)], limit=limit, min_score=min_score, window_days=window_days, batch_end=batch_end
    )
    return found


def find_many(
    probes: list[tuple[Probe, list[int]]],
    *,
    limit: int | None = None,
    min_score: float | None = None,
    window_days: float | None = None,
    batch_end: int | None = None,
) -> list[list[Found]]:
    """The best earlier cases of the window for each (probe, its bands): the band matches and the reporter's
    earlier cases (_candidate_keys, which also leaves out the cases of the probes' batch after each probe), the
    profiles of them all at once, exact scores of those within reach, merged and invalid cases left out (one
    query). Stored probes go into this process's copy of profiles: the next cases compare with them."""
    window = window_days if window_days is not None else settings.DUPLICATES_WINDOW_DAYS
    limit = limit if limit is not None else settings.DUPLICATES_MAX_CANDIDATES
    min_score = min_score if min_score is not None else settings.DUPLICATES_MIN_SCORE
    _PROFILES.put((_key(probe), probe) for probe, _ in probes if probe.case_id is not None)
    picks = _candidate_keys(probes, window, batch_end)
    profiles = _profiles({key for keys in picks for key in keys})
    out: list[list[Found]] = []
    for (probe, _bands), keys in zip(probes, picks, strict=True):
        found = []
        for key in keys:
            other = profiles.get(key)
            if other is None or not within_reach(probe, other, min_score):
                continue
            s, reasons = score(probe, other, window_days=window, min_score=min_score)
            if s >= min_score:
                hours = (probe.created_at - other.created_at).total_seconds() / 3600
                found.append(Found(other.case_id, s, reasons, hours))  # type: ignore[arg-type]
        out.append(found)
    gone = _not_candidates(sorted({f.other_id for found in out for f in found}))

    def best(found: list[Found]) -> list[Found]:
        return sorted((f for f in found if f.other_id not in gone), key=lambda f: (-f.score, -f.other_id))[:limit]

    return [best(found) for found in out]


# ---------------------------------------------------------------------------------------------------------------------
# Intake hook and the index
# ---------------------------------------------------------------------------------------------------------------------


def store(indexed: list[tuple[Probe, list[int]]]) -> None:
    """Index cases: their profiles and bands (plain INSERTs, core.bulk: this runs on every intake)."""
    assert all(probe.case_id is not None for probe, _ in indexed)
    insert(DuplicateProfile, [probe.row() for probe, _ in indexed])
    insert(
        DuplicateBand,
        [
            {"band": b, "case_id": probe.case_id, "created_at": probe.created_at}
            for probe, bands in indexed
            for b in bands
        ],
    )


def cases_stored(pairs: list[tuple[Case, Any]]) -> None:
    """Intake hook (inside the intake's transaction, before its audit entries): index the cases and store their
    candidates. The batch is indexed first; each case then searches the cases before it, its batch's included.
    What may be an exact repeat is kept on the report for cases_created()."""
    indexed = [(probe, band_values(probe.text)) for probe in (Probe.of_case(case) for case, _ in pairs)]
    store(indexed)
    batch_end = max(case.pk for case, _ in pairs)
    rows = []
    for (case, data), found in zip(pairs, find_many(indexed, batch_end=batch_end), strict=True):
        rows += [_candidate_row(case.pk, case.created_at, f.other_id, f.score, f.reasons) for f in found]
        repeats = not getattr(data, "solved_on_spot", False) and any(is_exact_repeat(f) for f in found)
        data.duplicate_repeats = found if repeats else None  # reset too: a batch filed again searches again
    insert(DuplicateCandidate, rows)


def _candidate_row(case_id: Any, created_at: dt.datetime, other_id: int, score: float, reasons: list) -> dict:
    """A new open DuplicateCandidate as core.bulk.insert takes it."""
    return {"case_id": case_id, "other_id": other_id, "score": score, "reasons": reasons, "created_at": created_at}


def cases_created(pairs: list[tuple[Case, Any]]) -> None:
    """Intake hook (after the intake's audit entries): merge exact repeats found by cases_stored()."""
    for case, data in pairs:
        found = getattr(data, "duplicate_repeats", None)
        if found:
            with request_id_as(getattr(data, "request_id", None)):
                _auto_merge(case, found)


def is_exact_repeat(found: Found) -> bool:
    hours = settings.DUPLICATES_AUTO_MERGE_HOURS
    codes = found.codes
    return (
        hours > 0
        and found.score >= settings.DUPLICATES_AUTO_MERGE_SCORE
        and "same_text" in codes
        and bool(codes & {"same_phone", "same_account"})
        and found.hours <= hours
    )


def _auto_merge(case: Case, found: list[Found]) -> None:
    from cases.actions import merge
    from cases.workflow import IllegalTransition

    for f in found:
        if not is_exact_repeat(f):
            continue
        master = Case.objects.filter(pk=f.other_id).first()
        if master is None or not master.is_open or master.master_id:
            continue
        try:
            with transaction.atomic():  # a savepoint: a merge that cannot happen leaves the case as filed
                merge(case, master, acting_user=AUTO_ACTOR)
                candidate = DuplicateCandidate.objects.get(case=case, other=master)
                before = audit.snapshot(candidate)
                candidate.status = DuplicateCandidate.Status.MERGED
                candidate.decided_at = timezone.now()
                candidate.note = "auto"
                candidate.save()
                audit.record(
                    "triage.auto_merge", actor=AUTO_ACTOR, obj=candidate, before=before, after=audit.snapshot(candidate)
                )
        except (ValidationError, IllegalTransition, PermissionDenied):
            continue
        case.refresh_from_db()
        return


# ---------------------------------------------------------------------------------------------------------------------
# Decisions
# ---------------------------------------------------------------------------------------------------------------------


def may_decide(user: Any, candidate: DuplicateCandidate) -> bool:
    from cases.actions import may_act

    return may_act(user, candidate.case, "merge") or may_act(user, candidate.other, "merge")


def _locked(candidate: DuplicateCandidate) -> DuplicateCandidate:
    locked = DuplicateCandidate.objects.select_for_update().select_related("case", "other").get(pk=candidate.pk)
    if locked.status != DuplicateCandidate.Status.OPEN:
        raise ValidationError(
            {"status": _("this candidate is already %(status)s") % {"status": locked.get_status_display()}}
        )
    return locked


@action
def do_merge_candidate(candidate: DuplicateCandidate, *, acting_user: Any) -> Case:
    """Merge the later case into the earlier one (the master) through the case loop's merge; mark the candidate."""
    from cases.actions import merge

    candidate = _locked(candidate)
    before = audit.snapshot(candidate)
    merged = merge(candidate.case, candidate.other, acting_user=acting_user)
    candidate.status = DuplicateCandidate.Status.MERGED
    candidate.decided_by = acting_user if getattr(acting_user, "is_authenticated", False) else None
    candidate.decided_at = timezone.now()
    candidate.save()
    audit.record(
        "triage.merge_duplicate", actor=acting_user, obj=candidate, before=before, after=audit.snapshot(candidate)
    )
    return merged


@action
def do_dismiss_candidate(candidate: DuplicateCandidate, *, acting_user: Any, note: str = "") -> DuplicateCandidate:
    """Not a duplicate: the candidate is closed with who decided and why."""
    candidate = _locked(candidate)
    if not may_decide(acting_user, candidate):
        raise PermissionDenied(f"{acting_user} may not decide on {candidate}")
    before = audit.snapshot(candidate)
    candidate.status = DuplicateCandidate.Status.DISMISSED
    candidate.decided_by = acting_user if getattr(acting_user, "is_authenticated", False) else None
    candidate.decided_at = timezone.now()
    candidate.note = note.strip()[:300]
    candidate.save()
    audit.record(
        "triage.dismiss_duplicate", actor=acting_user, obj=candidate, before=before, after=audit.snapshot(candidate)
    )
    return candidate


# ---------------------------------------------------------------------------------------------------------------------
# Bulk index (manage.py triage_index): cases written without the intake
# ---------------------------------------------------------------------------------------------------------------------


def index_cases(since: dt.datetime, *, progress: Callable[[int], None] | None = None, batch: int = 5000) -> int:
    """Index the cases created since `since` that have no profile yet. Returns how many were indexed."""
    done = set(DuplicateProfile.objects.filter(created_at__gte=since).values_list("case_id", flat=True))
    cases = (
        Case.objects.filter(created_at__gte=since)
        .order_by("created_at", "pk")
        .values(
            "pk",
            "created_at",
            "title",
            "description",
            "reporter_phone",
            "reporter_id",
            "category_id",
            "territory_code",
            "lon",
            "lat",
        )
    )
    tops = category_tops()
    count = 0
    profiles: list[dict] = []
    bands: list[dict] = []

    def flush() -> None:
        with transaction.atomic():
            insert(DuplicateProfile, profiles, batch=batch)
            insert(DuplicateBand, bands, batch=batch * BANDS)
        if progress:
            progress(len(profiles))
        profiles.clear()
        bands.clear()

    for row in cases.iterator(chunk_size=batch):
        if row["pk"] in done:
            continue
        norm = normalise(f"{row['title']} {row['description']}" if row["title"] else row["description"])
        probe = Probe(
            case_id=row["pk"],
            created_at=row["created_at"],
            text=norm,
            text_key=text_key(norm),
            phone=row["reporter_phone"] or "",
            reporter_id=row["reporter_id"],
            category_id=row["category_id"],
            category_top=tops.get(row["category_id"], ""),
            territory_code=row["territory_code"] or "",
            lon=row["lon"],
            lat=row["lat"],
        )
        profiles.append(probe.row())
        bands.extend({"band": b, "case_id": row["pk"], "created_at": row["created_at"]} for b in band_values(norm))
        count += 1
        if len(profiles) >= batch:
            flush()
    if profiles:
        flush()
    return count


@memoized
def category_tops() -> dict[int, str]:
    """Category id → code of its first-level ancestor (cached like the intake's own category table)."""
    from cases.models import Category

    cats = {c.pk: c for c in Category.objects.only("pk", "code", "parent_id")}
    tops = {}
    for pk, cat in cats.items():
        top = cat
        while top.parent_id is not None and top.parent_id in cats:
            top = cats[top.parent_id]
        tops[pk] = top.code
    return tops


def candidates_in_bulk(since: dt.datetime, *, progress: Callable[[int], None] | None = None) -> int:
    """Candidates for every open case created since `since` that has none stored, by one pass in time order over
    the indexed profiles with the window's bands in memory (no query per case). Returns how many were stored."""
    window = settings.DUPLICATES_WINDOW_DAYS
    span = dt.timedelta(days=window)
    limit, min_score = settings.DUPLICATES_MAX_CANDIDATES, settings.DUPLICATES_MIN_SCORE
    final = set(
        Case.objects.filter(created_at__gte=since, status__in=list(FINAL_STATUSES))
        .values_list("pk", flat=True)
        .iterator(chunk_size=20000)
    )
    gone = set(
        Case.objects.filter(created_at__gte=since - span, status__in=NOT_CANDIDATES).values_list("pk", flat=True)
    )
    have = set(
        DuplicateCandidate.objects.filter(case__created_at__gte=since).values_list("case_id", flat=True).distinct()
    )
    recent: deque[Probe] = deque()
    by_id: dict[int, Probe] = {}
    by_band: dict[int, deque[int]] = defaultdict(deque)
    by_reporter: dict[Any, deque[int]] = defaultdict(deque)
    rows: list[dict] = []
    stored = 0
    profiles = (
        DuplicateProfile.objects.filter(created_at__gte=since - span)
        .order_by("created_at", "case_id")
        .values(*PROFILE_FIELDS)
    )
    for row in profiles.iterator(chunk_size=5000):
        probe = Probe.of_row(row)
        while recent and recent[0].created_at < probe.created_at - span:
            by_id.pop(recent.popleft().case_id, None)  # type: ignore[arg-type]
        bands = band_values(probe.text)
        keys = _reporter_keys(probe)
        if probe.created_at >= since and probe.case_id not in final and probe.case_id not in have:
            counts: dict[int, int] = defaultdict(int)
            for b in bands:
                for other in reversed(by_band.get(b, ())):
                    if other in by_id:
                        counts[other] += 1
            ids = set(sorted(counts, key=counts.__getitem__, reverse=True)[:BAND_CANDIDATES])
            for key in keys:
                ids.update(o for o in list(by_reporter.get(key, ()))[-REPORTER_CANDIDATES:] if o in by_id)
            found = []
            for other_id in ids - gone:
                if not within_reach(probe, by_id[other_id], min_score):
                    continue
                s, reasons = score(probe, by_id[other_id], window_days=window, min_score=min_score)
                if s >= min_score:
                    found.append((s, other_id, reasons))
            for s, other_id, reasons in sorted(found, key=lambda f: (-f[0], -f[1]))[:limit]:
                rows.append(_candidate_row(probe.case_id, probe.created_at, other_id, s, reasons))
            if progress:
                progress(1)
        recent.append(probe)
        by_id[probe.case_id] = probe  # type: ignore[index]
        for b in bands:
            _push(by_band[b], probe.case_id)  # type: ignore[arg-type]
        for key in keys:
            _push(by_reporter[key], probe.case_id)  # type: ignore[arg-type]
        if len(rows) >= 5000:
            stored += _insert_candidates(rows, insert)
    return stored + _insert_candidates(rows, insert)


def _push(ids: deque[int], case_id: int) -> None:
    ids.append(case_id)
    if len(ids) > HOT_BAND_LIMIT:
        ids.popleft()


def _reporter_keys(probe: Probe) -> list[Any]:
    keys: list[Any] = []
    if probe.phone:
        keys.append(("phone", probe.phone))
    if probe.reporter_id is not None:
        keys.append(("account", probe.reporter_id))
    return keys


def _insert_candidates(rows: list[dict], insert: Callable[..., int]) -> int:
    with transaction.atomic():
        n = insert(DuplicateCandidate, rows)
    rows.clear()
    return n


# ---------------------------------------------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------------------------------------------


@dataclass
class Row:
    candidate: DuplicateCandidate
    duplicate: Case  # the later case
    master: Case  # the earlier case
    counterpart: Case  # the one that is not the case on the page
    reasons: list[str]
    can_merge: bool


def rows_for(user: Any, candidates: Iterable[DuplicateCandidate], page_case: Case | None = None) -> list[Row]:
    from cases.actions import may_act
    from cases.workflow import TRANSITIONS

    mergeable = TRANSITIONS["merge"][0]
    out = []
    for cand in candidates:
        dup, master = cand.case, cand.other
        if not may_decide(user, cand):
            continue
        counterpart = master if page_case is None or page_case.pk == dup.pk else dup
        can_merge = (
            may_act(user, dup, "merge") and dup.status in mergeable and master.is_open and master.master_id is None
        )
        out.append(Row(cand, dup, master, counterpart, [reason_text(r) for r in cand.reasons], can_merge))
    return out


def visible_candidates(user: Any) -> Any:
    """Open candidates whose two cases are both in the user's territory and whose later case can still be merged
    (one closed since is nothing to decide: left in, it filled the list's pages with rows rows_for() drops)."""
    from cases.workflow import TRANSITIONS

    visible = Case.objects.restrict(user).values("pk")
    mergeable = sorted(TRANSITIONS["merge"][0])
    return (
        DuplicateCandidate.objects.filter(
            status=DuplicateCandidate.Status.OPEN, case__status__in=mergeable, case__in=visible, other__in=visible
        )
        .select_related("case__category", "other__category", "case__grid", "other__grid")
        .order_by("-created_at", "-score")
    )


def panel_for(user: Any, case: Case) -> list[Row]:
    """The "possible duplicates" panel of a case page: open candidates either way, counterpart in the territory."""
    candidates = visible_candidates(user).filter(Q(case=case) | Q(other=case))
    return rows_for(user, candidates, page_case=case)
