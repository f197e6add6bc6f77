"""Triage (S7): what the classifier suggested, staff corrections, duplicate candidates, hot issues."""

from __future__ import annotations

from django.conf import settings  # noqa: F401
from django.db import models  # noqa: F401
from django.utils.translation import gettext_lazy as _  # noqa: F401

# ---------------------------------------------------------------------------------------------------------------------
# Classification: suggestions at intake, the human triage queue, corrections used in the next training
# ---------------------------------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------------------------------
# Duplicates and related cases (归并)
# ---------------------------------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------------------------------
# Addresses and hot issues
# ---------------------------------------------------------------------------------------------------------------------
