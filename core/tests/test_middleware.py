import json

from django.test import TestCase


class RejectNulTests(TestCase):
    def test_nul_in_a_query_parameter_is_a_400_naming_it(self):
        response = self.client.get("/api/v1/track", {"tracking_no": "FQ\x00", "phone": "1"})
        assert response.status_code == 400
        assert "tracking_no" in response.json()["detail"]

    def test_escaped_nul_in_a_json_body_is_a_400(self):
        body = json.dumps({"description": "a\u0000b"})
        response = self.client.post("/api/v1/cases", body, content_type="application/json")
        assert response.status_code == 400 and "JSON body" in response.json()["detail"]

    def test_nul_in_a_form_field_is_a_400_on_pages_too(self):
        response = self.client.post("/track/", {"tracking_no": "x\x00"})
        assert response.status_code == 400 and b"tracking_no" in response.content

    def test_clean_input_passes(self):
        response = self.client.get("/api/v1/track", {"tracking_no": "FQ20260101-000001", "phone": "13800000000"})
        assert response.status_code == 404
