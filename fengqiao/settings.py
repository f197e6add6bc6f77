"""Fengqiao settings: everything that differs between machines comes from the environment."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("FENGQIAO_VAR_DIR", BASE_DIR / "var"))
(VAR_DIR / "static").mkdir(parents=True, exist_ok=True)


def envbool(name: str, default: str) -> bool:
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: str) -> int:
    return int(os.environ.get(name, default))


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("FENGQIAO_SECRET_KEY", "insecure-development-key-change-me-in-production")
DEBUG = envbool("FENGQIAO_DEBUG", "false")
ALLOWED_HOSTS = envlist("FENGQIAO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("FENGQIAO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "core",
    "accounts",
    "territory",
    "cases",
    "notify",
    "open311",
    "command",
    "registry",
    "triage",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.RequestIdMiddleware",
    "core.middleware.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fengqiao.urls"
WSGI_APPLICATION = "fengqiao.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "notify.context.unread",
            ],
        },
    },
]


def database_from_url(url: str) -> dict[str, Any]:
    # Each request thread keeps its connection for DB_CONN_MAX_AGE seconds (checked before reuse) instead of
    # opening one per request: a new SQLite connection parses the schema and runs the PRAGMAs below, and closing
    # the last one checkpoints the whole WAL (together ~14 ms a request, more than the intake itself, measured);
    # a new PostgreSQL connection is a TCP handshake and a backend fork.
    config: dict[str, Any] = dict(
        dj_database_url.parse(url, conn_max_age=envint("FENGQIAO_DB_CONN_MAX_AGE", "300"), conn_health_checks=True)
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN so two
        # writers queue instead of failing with "database is locked" mid-transaction; core.sqlite makes them
        # queue on a file lock (no busy-handler sleeps), busy_timeout stays as the fallback. The WAL is copied
        # back into the database every 10,000 pages (about 40 MB) rather than SQLite's 1,000: the index pages
        # every intake touches are written back once per checkpoint, not ten times (intake +15-20 % measured).
        config["ENGINE"] = "core.sqlite"
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
            " PRAGMA foreign_keys=ON;"
            f" PRAGMA wal_autocheckpoint={os.environ.get('FENGQIAO_SQLITE_WAL_PAGES', '10000')};",
        }
        config["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
    return config


DATABASE_URL = os.environ.get("FENGQIAO_DATABASE_URL", f"sqlite:///{VAR_DIR / 'fengqiao.sqlite3'}")
DATABASES = {"default": database_from_url(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.RoleBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Failed-login throttling (django-axes): lock a username+IP pair after N failures for a while.
AXES_FAILURE_LIMIT = envint("FENGQIAO_LOGIN_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = envint("FENGQIAO_LOGIN_COOLOFF_MINUTES", "15") / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("FENGQIAO_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("FENGQIAO_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

TASKS = {"default": {"BACKEND": os.environ.get("FENGQIAO_TASK_BACKEND", "django_tasks_db.DatabaseBackend")}}

# How often a process re-reads the grid version to notice grids changed by another process.
GRID_INDEX_CHECK_SECONDS = float(os.environ.get("FENGQIAO_GRID_INDEX_CHECK_SECONDS", "5"))
# Overlap between sibling grids and spill over the parent boundary tolerated when validating polygons.
GRID_TOLERANCE_M2 = float(os.environ.get("FENGQIAO_GRID_TOLERANCE_M2", "1.0"))
# Seconds between audit checkpoints (Merkle roots) written by the clock.
AUDIT_CHECKPOINT_SECONDS = envint("FENGQIAO_AUDIT_CHECKPOINT_SECONDS", "3600")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("FENGQIAO_SECURE_COOKIES", "false")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("FENGQIAO_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Case deadlines (S4): defaults when no SlaPolicy matches, and the working hours of a working day.
SLA_RESPONSE_HOURS = float(os.environ.get("FENGQIAO_SLA_RESPONSE_HOURS", "3"))
SLA_RESOLUTION_HOURS = float(os.environ.get("FENGQIAO_SLA_RESOLUTION_HOURS", "48"))
WORKDAY_SPANS = os.environ.get("FENGQIAO_WORKDAY_SPANS", "08:30-12:00,13:30-17:30")
# Supervision orders (督办) issued by the clock give the holder this many hours to answer.
SUPERVISION_HOURS = float(os.environ.get("FENGQIAO_SUPERVISION_HOURS", "24"))
# Largest accepted case attachment per kind, in MB.
ATTACHMENT_MAX_MB = {"photo": 10, "voice": 20, "video": 100}
# Seconds between the clock's sweeps over case deadlines.
CASE_SWEEP_SECONDS = int(os.environ.get("FENGQIAO_CASE_SWEEP_SECONDS", "60"))
# 以奖代补: points for a resident's valid report, and the bonus when it is a safety hazard.
POINTS_PER_VALID_REPORT = int(os.environ.get("FENGQIAO_POINTS_PER_VALID_REPORT", "10"))
POINTS_HAZARD_BONUS = int(os.environ.get("FENGQIAO_POINTS_HAZARD_BONUS", "5"))
# Seconds between steps of the live demo (new reports, cases moving on); 0 = off. scripts/demo.sh sets it.
DEMO_LIVE_SECONDS = int(os.environ.get("FENGQIAO_DEMO_LIVE_SECONDS", "0"))

# SMS: a class with send(phone, body); the default appends to a file so nothing leaves the machine by accident.
SMS_BACKEND = os.environ.get("FENGQIAO_SMS_BACKEND", "notify.backends.FileSmsBackend")
SMS_OUTBOX = Path(os.environ.get("FENGQIAO_SMS_OUTBOX", VAR_DIR / "sms" / "outbox.log"))
# Seconds a process keeps routing rules, deadline policies and categories in memory (core.memo).
CONFIG_CACHE_SECONDS = float(os.environ.get("FENGQIAO_CONFIG_CACHE_SECONDS", "5"))
# How long a process remembers who works for a unit (grid workers on duty, handlers) to notify them of new cases.
HOLDER_CACHE_SECONDS = float(os.environ.get("FENGQIAO_HOLDER_CACHE_SECONDS", "60"))
# Group commit of the intake (core.groupcommit): reports that several request threads of one process file at the
# same time are written in one transaction, at most this many at once; 0 turns it off (one transaction each).
INTAKE_GROUP_COMMIT_MAX = envint("FENGQIAO_INTAKE_GROUP_COMMIT_MAX", "64")
INTAKE_GROUP_COMMIT = INTAKE_GROUP_COMMIT_MAX > 0
# Days a resolved case waits for the resident's confirmation before it goes to the hotline's call-back (回访) list.
CALLBACK_AFTER_DAYS = float(os.environ.get("FENGQIAO_CALLBACK_AFTER_DAYS", "3"))

# Open311 GeoReport v2 (/open311/v2/): the jurisdiction_id clients send (default: the district's code), which
# channels' cases the public request list shows, requests per minute per client address without an api_key
# (keys have their own limit), and the cache alias counting them (share one between processes in production).
OPEN311_JURISDICTION_ID = os.environ.get("FENGQIAO_OPEN311_JURISDICTION_ID", "")
OPEN311_PUBLISHED_CHANNELS = envlist("FENGQIAO_OPEN311_PUBLISHED_CHANNELS", "open311")
OPEN311_ANONYMOUS_PER_MINUTE = envint("FENGQIAO_OPEN311_ANONYMOUS_PER_MINUTE", "300")
OPEN311_RATE_CACHE = os.environ.get("FENGQIAO_OPEN311_RATE_CACHE", "default")
OPEN311_CHANGESET = os.environ.get("FENGQIAO_OPEN311_CHANGESET", "2026-12-01")  # until services are defined
OPEN311_CONTACT = os.environ.get("FENGQIAO_OPEN311_CONTACT", "区社会治理中心 / district social governance centre")
OPEN311_KEY_SERVICE = os.environ.get(
    "FENGQIAO_OPEN311_KEY_SERVICE", "Ask the district administrator for an application key (manage.py open311_key)."
)
# Command centre: seconds between fact refreshes by the clock, seconds between the overview's own refreshes,
# and the most case points one map request returns (the rest are counted, and the heat layer shows all).
COMMAND_FACTS_SECONDS = int(os.environ.get("FENGQIAO_COMMAND_FACTS_SECONDS", "10"))
COMMAND_POLL_SECONDS = int(os.environ.get("FENGQIAO_COMMAND_POLL_SECONDS", "30"))
COMMAND_MAX_POINTS = int(os.environ.get("FENGQIAO_COMMAND_MAX_POINTS", "10000"))
# Font for report charts (matplotlib); Debian's fonts-noto-cjk by default.
REPORT_CJK_FONT = os.environ.get("FENGQIAO_REPORT_CJK_FONT", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")

# Base-data registry (registry app). House grading rules (分类分级分色), first match wins; see registry/classify.py.
REGISTRY_HOUSE_RULES = (
    json.loads(os.environ["FENGQIAO_REGISTRY_HOUSE_RULES"])
    if os.environ.get("FENGQIAO_REGISTRY_HOUSE_RULES")
    else [
        {"grade": 1, "if": {"use": ["rented"], "min_occupants": 10}, "why": "群租：10 人以上合租"},
        {"grade": 1, "if": {"min_per_10m2": 2.5}, "why": "人均居住面积不足 4 m²"},
        {"grade": 1, "if": {"house_type": ["mixed", "factory"], "min_occupants": 1}, "why": "经营场所住人（三合一）"},
        {"grade": 2, "if": {"use": ["rented"], "min_floating": 1}, "why": "出租给流动人口"},
        {"grade": 2, "if": {"house_type": ["self_built", "dormitory"], "use": ["rented"]}, "why": "自建房或宿舍出租"},
    ]
)
# Counts below this in the open-data export are published as "<N" so no small group can be singled out.
REGISTRY_OPEN_DATA_MIN_COUNT = envint("FENGQIAO_REGISTRY_OPEN_DATA_MIN_COUNT", "5")
# Rows per summarising audit entry when an import or the demo seed writes many records at once.
REGISTRY_BULK_AUDIT_ROWS = envint("FENGQIAO_REGISTRY_BULK_AUDIT_ROWS", "1000")
# Residents seed_demo registers in the demo district (households, houses, places and organisations follow).
REGISTRY_DEMO_RESIDENTS = envint("FENGQIAO_DEMO_RESIDENTS", "300000")

# Triage (triage app, S7) — classification: model file, confidence below which a case waits in the triage queue.
# Model files classifier-v<N>.joblib and the `current` pointer (manage.py triage_train writes them).
TRIAGE_MODEL_DIR = Path(os.environ.get("FENGQIAO_TRIAGE_MODEL_DIR", VAR_DIR / "triage"))
# A case whose suggestion is less sure than this waits in the human triage queue (/triage/queue/).
TRIAGE_REVIEW_BELOW = float(os.environ.get("FENGQIAO_TRIAGE_REVIEW_BELOW", "0.6"))
# A category chosen by a person is queued only when the model is this sure of another first-level category.
TRIAGE_DISAGREE_ABOVE = float(os.environ.get("FENGQIAO_TRIAGE_DISAGREE_ABOVE", "0.9"))
# jieba words beside the character 1–3-grams: no better on the shipped data and 4× slower, so off by default.
TRIAGE_USE_WORDS = os.environ.get("FENGQIAO_TRIAGE_USE_WORDS", "0") == "1"
# A first-level category the shipped data lacks joins the model once staff have given it this many messages.
TRIAGE_MIN_CLASS_EXAMPLES = envint("FENGQIAO_TRIAGE_MIN_CLASS_EXAMPLES", "20")


# Triage — duplicates: time window, thresholds, auto-merge of exact repeats.
# Candidates are earlier cases of the last WINDOW_DAYS scoring at least MIN_SCORE (0..1), at most MAX_CANDIDATES
# kept per case. A new case is merged at intake into an earlier open one from the same phone or account with the same
# normalised text within AUTO_MERGE_HOURS when the score reaches AUTO_MERGE_SCORE (0 hours turns it off).
DUPLICATES_WINDOW_DAYS = float(os.environ.get("FENGQIAO_DUPLICATES_WINDOW_DAYS", "30"))
DUPLICATES_MIN_SCORE = float(os.environ.get("FENGQIAO_DUPLICATES_MIN_SCORE", "0.6"))
DUPLICATES_MAX_CANDIDATES = envint("FENGQIAO_DUPLICATES_MAX_CANDIDATES", "5")
DUPLICATES_AUTO_MERGE_HOURS = float(os.environ.get("FENGQIAO_DUPLICATES_AUTO_MERGE_HOURS", "24"))
DUPLICATES_AUTO_MERGE_SCORE = float(os.environ.get("FENGQIAO_DUPLICATES_AUTO_MERGE_SCORE", "0.95"))
# Profiles of recent cases each process keeps to compare new cases with (about 1 KB each)
DUPLICATES_PROFILE_CACHE = envint("FENGQIAO_DUPLICATES_PROFILE_CACHE", "20000")


# Triage — addresses and hot issues.
# Below this confidence an address alone does not place a case (the reporter is asked for a pin or community).
TRIAGE_ADDRESS_MIN_CONFIDENCE = float(os.environ.get("FENGQIAO_TRIAGE_ADDRESS_MIN_CONFIDENCE", "0.6"))
# The address gazetteer is rebuilt after this many seconds (at once when grids change).
TRIAGE_GAZETTEER_SECONDS = envint("FENGQIAO_TRIAGE_GAZETTEER_SECONDS", "600")
# Hot issues on /triage/hot/: cosine similarity of two cases' texts above which they are one issue even in different
# places (near-identical repeats); cases in the same community/grid/compound need only 0.3.
TRIAGE_HOT_SIMILARITY = float(os.environ.get("FENGQIAO_TRIAGE_HOT_SIMILARITY", "0.9"))
# Hot issues shown on /triage/hot/ and in its export.
TRIAGE_HOT_TOP = envint("FENGQIAO_TRIAGE_HOT_TOP", "20")
# At most this many cases (the latest of the period) are clustered for the page, so it answers in seconds.
TRIAGE_HOT_MAX_CASES = envint("FENGQIAO_TRIAGE_HOT_MAX_CASES", "20000")
