"""Settings for the test suite: the real settings, with a fast password hasher and inline tasks."""

from fengqiao.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
GRID_INDEX_CHECK_SECONDS = 0.0
LANGUAGE_CODE = "en"
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "test-media"  # noqa: F405
SMS_BACKEND = "notify.backends.MemorySmsBackend"
CONFIG_CACHE_SECONDS = 0.0
HOLDER_CACHE_SECONDS = 0.0
REGISTRY_DEMO_RESIDENTS = 3000  # seed_demo in tests: a few thousand residents, not 300,000
TRIAGE_MODEL_DIR = VAR_DIR / "test-triage"  # noqa: F405  (no model unless a test trains one: var/triage stays out of tests)
DUPLICATES_AUTO_MERGE_HOURS = 0.0  # tests file the same report again and again; triage's duplicate tests turn it on
