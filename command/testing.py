"""Fixtures for command-centre tests: the test district, its categories and a generated year of cases."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.utils import timezone

from cases.testing import CaseTestCase
from command import facts, synthetic


class CommandTestCase(CaseTestCase):
    history: ClassVar[int] = 2000
    now: ClassVar[dt.datetime]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.now = timezone.now()
        if cls.history:
            synthetic.generate(cls.history, end=cls.now, days=365, seed=1)
        facts.rebuild()
