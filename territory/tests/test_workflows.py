"""Staff assignment, the 4+X admission list and journal notes, through the pages people use."""

from __future__ import annotations

from core.models import AuditEntry, JournalEntry
from core.testing import DistrictTestCase, grid_code
from territory.choices import AdmissionStatus
from territory.models import AdmissionItem, GridAssignment


class AssignmentTests(DistrictTestCase):
    def test_street_assigns_a_worker_to_a_second_grid_and_the_worker_sees_it(self):
        self.login("bob")
        response = self.client.post(f"/grids/{grid_code(0, 1, 0)}/assign/", {"username": "carol", "role": "full_time"})
        assert response.status_code == 302
        assert GridAssignment.objects.filter(user=self.carol, end_date__isnull=True).count() == 2
        self.login("carol")
        assert self.client.get(f"/grids/{grid_code(0, 1, 0)}/").status_code == 200

    def test_ending_a_duty_keeps_history_and_removes_access(self):
        assignment = GridAssignment.objects.get(user=self.carol)
        self.login("bob")
        self.client.post(f"/assignments/{assignment.pk}/end/")
        assignment.refresh_from_db()
        assert assignment.end_date is not None
        page = self.client.get(f"/grids/{grid_code(0, 0, 0)}/").content.decode()
        assert "Assignment history" in page and "Carol" in page
        self.login("carol")
        assert self.client.get(f"/grids/{grid_code(0, 0, 0)}/").status_code == 404

    def test_street_cannot_assign_outside_its_street(self):
        self.login("bob")
        response = self.client.post(f"/grids/{grid_code(1, 0, 0)}/assign/", {"username": "carol", "role": "full_time"})
        assert response.status_code == 404

    def test_grid_worker_cannot_assign(self):
        self.login("carol")
        response = self.client.post(f"/grids/{grid_code(0, 0, 0)}/assign/", {"username": "dave", "role": "full_time"})
        assert response.status_code == 403

    def test_a_resident_cannot_be_put_on_a_grid(self):
        self.login("bob")
        self.client.post(f"/grids/{grid_code(0, 0, 0)}/assign/", {"username": "frank", "role": "full_time"})
        assert not GridAssignment.objects.filter(user=self.frank).exists()


class AdmissionTests(DistrictTestCase):
    def request_item(self, name="erin"):
        self.login(name)
        return self.client.post(
            "/admission/",
            {"code": "gas-cylinder", "name": "瓶装燃气巡查", "description": "巡查餐饮燃气", "reason": "事故多发"},
        )

    def test_the_standing_four_are_approved(self):
        standing = AdmissionItem.objects.filter(is_standing=True)
        assert standing.count() == 4 and set(standing.values_list("status", flat=True)) == {AdmissionStatus.APPROVED}

    def test_a_department_requests_and_the_district_admin_approves_with_a_reason(self):
        assert self.request_item().status_code == 302
        item = AdmissionItem.objects.get(code="gas-cylinder")
        assert item.status == AdmissionStatus.REQUESTED and item.department.code == "test-zfj"
        self.login("alice")
        self.client.post(f"/admission/{item.pk}/decide/", {"decision": "approve", "reason": "同意"})
        item.refresh_from_db()
        assert item.status == AdmissionStatus.APPROVED and item.decided_by == self.alice
        assert AuditEntry.objects.filter(action="territory.decide_admission_item", object_id=str(item.pk)).exists()
        self.login("carol")
        assert "瓶装燃气巡查" in self.client.get(f"/grids/{grid_code(0, 0, 0)}/").content.decode()

    def test_a_decision_needs_a_reason_and_the_right(self):
        self.request_item()
        url = f"/admission/{AdmissionItem.objects.get(code='gas-cylinder').pk}/decide/"
        self.login("bob")
        assert self.client.post(url, {"decision": "approve", "reason": "x"}).status_code == 403
        self.login("alice")
        self.client.post(url, {"decision": "reject", "reason": ""})
        assert AdmissionItem.objects.get(code="gas-cylinder").status == AdmissionStatus.REQUESTED

    def test_a_request_without_reason_shows_the_field_error(self):
        self.login("bob")
        response = self.client.post("/admission/", {"code": "x-item", "name": "X", "description": "d", "reason": ""})
        assert response.status_code == 200 and not AdmissionItem.objects.filter(code="x-item").exists()
        assert "This field is required" in response.content.decode()

    def test_grid_workers_see_the_list_but_cannot_request(self):
        self.login("carol")
        assert self.client.get("/admission/").status_code == 200
        assert self.request_item("carol").status_code == 403


class JournalTests(DistrictTestCase):
    def test_a_note_is_added_to_a_grid_and_logged(self):
        self.login("carol")
        self.client.post(f"/journal/grid/{grid_code(0, 0, 0)}/", {"kind": "warning", "comments": "3号楼消防通道堵塞"})
        note = JournalEntry.objects.get()
        assert note.author == self.carol and note.kind == "warning"
        assert "3号楼消防通道堵塞" in self.client.get(f"/grids/{grid_code(0, 0, 0)}/").content.decode()
        assert AuditEntry.objects.filter(action="core.add_journal_entry").count() == 1

    def test_no_notes_on_grids_outside_the_territory(self):
        self.login("carol")
        response = self.client.post(f"/journal/grid/{grid_code(1, 0, 0)}/", {"kind": "info", "comments": "x"})
        assert response.status_code == 404 and not JournalEntry.objects.exists()


class MapPageTests(DistrictTestCase):
    def test_map_page_lists_the_tree_of_the_territory(self):
        self.login("bob")
        html = self.client.get("/map/").content.decode()
        assert "A1社区" in html and "A2社区第2网格" in html and "B1社区" not in html

    def test_htmx_gets_the_panel_only(self):
        self.login("carol")
        html = self.client.get(f"/grids/{grid_code(0, 0, 0)}/", headers={"HX-Request": "true"}).content.decode()
        assert "<html" not in html and "Carol" in html
