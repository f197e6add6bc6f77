"""Batch services: the request is held, the client gets a token, a moderator accepts it into the intake."""

from __future__ import annotations

import json

from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import Case
from open311.models import ServiceRequest
from open311.tests.base import Open311TestCase

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class ModerationTests(Open311TestCase):
    def hold(self, **fields):
        fields.setdefault("attribute[source]", None)
        response = self.post(service_code=self.other.code, **fields)
        self.assertEqual(response.status_code, 201, response.content)
        body = json.loads(response.content)[0]
        self.assertNotIn("service_request_id", body)
        return body["token"]

    def token(self, token: str):
        return self.client.get(f"/open311/v2/tokens/{token}.json")

    def test_held_until_accepted_then_the_token_gives_the_case(self):
        photo = SimpleUploadedFile("scene.png", PNG, content_type="image/png")
        token = self.hold(description="河道里有死鱼", media=photo)
        self.assertFalse(Case.objects.exists())
        self.assertEqual(json.loads(self.token(token).content), [{"service_request_id": None, "token": token}])

        self.login("frank")  # a resident may not moderate
        self.assertEqual(self.client.get("/open311/moderation/").status_code, 403)
        self.login("alice")
        page = self.client.get("/open311/moderation/")
        self.assertContains(page, "河道里有死鱼")
        response = self.client.post(f"/open311/moderation/{token}/accept/")
        self.assertRedirects(response, "/open311/moderation/")
        case = Case.objects.get()
        self.assertEqual((case.channel, case.api_client, case.description), ("open311", self.app, "河道里有死鱼"))
        self.assertEqual(case.attachments.get().original_name, "scene.png")
        self.assertEqual(json.loads(self.token(token).content)[0]["service_request_id"], case.tracking_no)
        self.assertEqual(self.client.post(f"/open311/moderation/{token}/accept/").status_code, 404)

    def test_rejected_with_a_reason(self):
        token = self.hold(description="广告")
        self.login("alice")
        self.client.post(f"/open311/moderation/{token}/reject/", {"reason": ""})
        self.assertEqual(ServiceRequest.objects.get().state, "held")
        self.client.post(f"/open311/moderation/{token}/reject/", {"reason": "与本区无关的广告"})
        self.assertEqual(ServiceRequest.objects.get().state, "rejected")
        response = self.token(token)
        self.assertEqual(response.status_code, 404)
        self.assertIn("与本区无关的广告", json.loads(response.content)[0]["description"])
        self.assertFalse(Case.objects.exists())

    def test_a_held_request_is_checked_like_any_other(self):
        response = self.post(service_code=self.other.code, phone="123", **{"attribute[source]": None})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(ServiceRequest.objects.exists())

    def test_the_service_list_says_batch(self):
        services = {s["service_code"]: s for s in json.loads(self.client.get("/open311/v2/services.json").content)}
        self.assertEqual(services[self.other.code]["type"], "batch")
        self.assertEqual(services[self.noise.code]["type"], "realtime")
