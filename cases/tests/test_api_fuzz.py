"""schemathesis against the OpenAPI schema of the whole API: whatever it sends, no answer is a server error."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from fengqiao.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def api_headers(db):
    """A district, the category tree and a key. Requests go straight to the WSGI app, so keep Django from
    closing the test's database connection at the end of each one (its test client does the same)."""
    from django.core import signals
    from django.db import close_old_connections

    from cases.categories import build_categories
    from core.actions import do_create_api_client
    from core.testing import build_test_district

    build_test_district()
    build_categories(acting_user="test")
    _client, key = do_create_api_client("fuzz", "department_system", acting_user="test")
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield {"X-Api-Key": key}
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_makes_a_server_error(case, api_headers):
    case.call_and_validate(headers=api_headers, checks=[not_a_server_error])
