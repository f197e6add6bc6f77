"""Every endpoint's XML and JSON against the spec's examples: root element, element names and nesting, kinds."""

from __future__ import annotations

import json

from cases.models import Case
from open311.tests import spec_examples as spec
from open311.tests.base import Open311TestCase
from open311.tests.shapes import json_document, json_matches, xml_document


class SpecShapeTests(Open311TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()

    def assertSameShape(self, url: str, xml_example: str, json_example: str, status: int = 200) -> None:
        xml = self.client.get(url.format(fmt="xml"))
        self.assertEqual(xml.status_code, status, xml.content)
        self.assertEqual(xml["Content-Type"], "text/xml; charset=utf-8")
        self.assertTrue(xml.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>'))
        self.assertEqual(xml_document(xml.content), xml_document(xml_example))
        response = self.client.get(url.format(fmt="json"))
        self.assertEqual(response.status_code, status, response.content)
        self.assertEqual(response["Content-Type"], "application/json; charset=utf-8")
        self.assertEqual(json_matches(json_document(response.content), json_document(json_example)), [])

    def test_service_list(self):
        self.assertSameShape("/open311/v2/services.{fmt}", spec.SERVICES_XML, spec.SERVICES_JSON)

    def test_service_definition(self):
        url = f"/open311/v2/services/{self.noise.code}.{{fmt}}"
        self.assertSameShape(url, spec.DEFINITION_XML, spec.DEFINITION_JSON)

    def test_requests_and_one_request(self):
        self.post()
        no = Case.objects.get().tracking_no
        self.assertSameShape("/open311/v2/requests.{fmt}", spec.REQUESTS_XML, spec.REQUESTS_JSON)
        self.assertSameShape(f"/open311/v2/requests/{no}.{{fmt}}", spec.REQUESTS_XML, spec.REQUESTS_JSON)

    def test_discovery(self):
        self.assertSameShape("/open311/v2/discovery.{fmt}", spec.DISCOVERY_XML, spec.DISCOVERY_JSON)

    def test_errors(self):
        self.assertSameShape("/open311/v2/services/999999.{fmt}", spec.ERRORS_XML, spec.ERRORS_JSON, status=404)

    def test_post_response(self):
        for fmt, example in (("xml", spec.POST_RESPONSE_XML), ("json", spec.POST_RESPONSE_JSON)):
            response = self.post(fmt, description=f"第{fmt}次")
            self.assertEqual(response.status_code, 201, response.content)
            if fmt == "xml":
                self.assertEqual(xml_document(response.content), xml_document(example))
            else:
                self.assertEqual(json_matches(json_document(response.content), json_document(example)), [])

    def test_token_response(self):
        response = self.post("json", service_code=self.other.code, **{"attribute[source]": None})
        self.assertEqual(response.status_code, 201, response.content)
        token = json.loads(response.content)[0]["token"]
        self.assertSameShape(f"/open311/v2/tokens/{token}.{{fmt}}", spec.TOKEN_XML, spec.TOKEN_JSON)
