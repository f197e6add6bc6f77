from __future__ import annotations

import io

from django.contrib.messages import get_messages
from django.core.management import call_command

from accounts.actions import create_account
from core.actions import action
from core.models import ApiClient, AuditEntry
from open311.tests.base import Open311TestCase


@action
def make_superuser():
    user = create_account(username="root", password="password", role="administrator", acting_user="test")
    user.is_superuser = user.is_staff = True
    user.save()
    return user


class KeyTests(Open311TestCase):
    def test_the_command_creates_a_key_that_files_requests(self):
        out = io.StringIO()
        call_command("open311_key", "create", "街道小程序", "--per-minute", "30", stdout=out)
        key = out.getvalue().strip().splitlines()[-1]
        client = ApiClient.objects.get(name="街道小程序")
        self.assertEqual((client.channel, client.requests_per_minute), ("open311", 30))
        self.assertTrue(AuditEntry.objects.filter(action="core.create_api_client", object_id=str(client.pk)).exists())
        self.assertEqual(self.post(api_key=key).status_code, 201)
        call_command("open311_key", "disable", "街道小程序", stdout=io.StringIO())
        self.assertEqual(self.post(api_key=key).status_code, 403)
        listing = io.StringIO()
        call_command("open311_key", "list", stdout=listing)
        self.assertIn("街道小程序\t", listing.getvalue())
        self.assertIn("disabled", listing.getvalue())

    def test_the_admin_creates_a_key_and_shows_it_once(self):
        self.client.force_login(make_superuser())
        self.assertEqual(self.client.get("/admin/open311/open311key/add/").status_code, 200)
        response = self.client.post("/admin/open311/open311key/add/", {"name": "市民App", "requests_per_minute": 60})
        self.assertRedirects(response, "/admin/open311/open311key/")
        [message] = [str(m) for m in get_messages(response.wsgi_request)]
        key = message.rsplit(" ", 1)[-1]
        self.assertTrue(key.startswith("fq_"))
        self.assertEqual(self.post(api_key=key).status_code, 201)
        listing = self.client.get("/admin/open311/open311key/")
        self.assertContains(listing, "市民App")
        self.assertNotContains(listing, key)
        for url in (
            "/admin/open311/serviceprofile/",
            "/admin/open311/serviceattribute/",
            "/admin/open311/servicerequest/",
        ):
            self.assertEqual(self.client.get(url).status_code, 200, url)
