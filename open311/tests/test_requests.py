from __future__ import annotations

import json

from cases.models import Case
from core.models import AuditEntry
from open311.models import ServiceRequest
from open311.tests.base import Open311TestCase


class PostRequestTests(Open311TestCase):
    def test_a_request_becomes_a_case_through_the_intake(self):
        response = self.post(
            **{
                "attribute[when]": "每晚十点以后",
                "first_name": "小明",
                "last_name": "王",
                "email": "wang@example.com",
                "account_id": "u-42",
            }
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response["Content-Type"], "application/json; charset=utf-8")
        body = json.loads(response.content)
        self.assertEqual(list(body[0]), ["service_request_id", "service_notice", "account_id"])
        case = Case.objects.get(tracking_no=body[0]["service_request_id"])
        self.assertEqual(case.channel, "open311")
        self.assertEqual(case.api_client, self.app)
        self.assertEqual(case.grid.code, "990100001001001")
        self.assertEqual(case.reporter_name, "王小明")
        self.assertIn("噪音来自哪里：建筑施工", case.description)
        self.assertIn("通常在什么时间出现：每晚十点以后", case.description)
        self.assertEqual(body[0]["account_id"], "u-42")
        self.assertIn(str(case.holder), body[0]["service_notice"])
        filed = ServiceRequest.objects.get(case=case)
        self.assertEqual(filed.attributes, {"source": "construction", "when": "每晚十点以后"})
        self.assertTrue(AuditEntry.objects.filter(action="open311.file_request", object_id=str(filed.pk)).exists())
