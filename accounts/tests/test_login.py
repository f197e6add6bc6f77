from django.test import TestCase, override_settings

from core.testing import DistrictTestCase


@override_settings(AXES_FAILURE_LIMIT=3)
class LoginTests(DistrictTestCase):
    def test_a_staff_member_logs_in_and_lands_on_the_map(self):
        response = self.client.post("/login/", {"username": "carol", "password": "password"}, follow=True)
        assert response.redirect_chain[-1][0] == "/map/" and response.status_code == 200

    def test_repeated_failures_lock_the_account_on_that_address(self):
        for _ in range(3):
            self.client.post("/login/", {"username": "carol", "password": "wrong"})
        response = self.client.post("/login/", {"username": "carol", "password": "password"})
        assert response.status_code == 429 and "Too many failed log-ins" in response.content.decode()
        other = self.client_class(REMOTE_ADDR="10.9.9.9")
        assert other.post("/login/", {"username": "carol", "password": "password"}).status_code == 302

    def test_anonymous_visitors_are_sent_to_log_in(self):
        response = self.client.get("/map/")
        assert response.status_code == 302 and response["Location"].startswith("/login/")


class LanguageTests(TestCase):
    def test_chinese_by_default_english_on_request(self):
        with override_settings(LANGUAGE_CODE="zh-hans"):
            assert "登录" in self.client.get("/login/").content.decode()
        self.client.cookies["django_language"] = "en"
        assert "Log in" in self.client.get("/login/").content.decode()
