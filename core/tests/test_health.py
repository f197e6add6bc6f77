from unittest import mock

from django.db import OperationalError
from django.test import TestCase


class HealthTests(TestCase):
    def test_healthy_when_the_database_answers(self):
        response = self.client.get("/healthz")
        assert response.status_code == 200 and response.json()["ok"] is True

    def test_503_naming_the_failure_when_it_does_not(self):
        with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("down")):
            response = self.client.get("/healthz")
        assert response.status_code == 503 and response.json() == {"ok": False, "database": "OperationalError"}
