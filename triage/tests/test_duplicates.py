"""Duplicate candidates at intake, the auto-merge of exact repeats, the merge and dismiss actions, the index command."""

from __future__ import annotations

import dataclasses
import datetime as dt
from unittest import mock

from django.core.management import call_command
from django.test import SimpleTestCase, override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.roles import Role
from cases.models import Case, CaseEvent
from cases.testing import CaseTestCase
from cases.tests.test_workflow import account
from core.models import AuditEntry
from core.testing import community_code
from territory.models import Division
from triage import duplicates
from triage.models import DuplicateBand, DuplicateCandidate, DuplicateProfile

TEXT = "小区门口的烧烤店每天晚上油烟很大，噪音扰民到凌晨两点，已经持续一个多月了"
PARAPHRASE = "您好！小区门口那家烧烤店每天晚上油烟特别大，噪声扰民到凌晨两点，持续一个多月了，请尽快处理"
UNRELATED = "人民路公交站台的雨棚玻璃碎了一地，行人经过很危险"


def codes(candidate: DuplicateCandidate) -> set[str]:
    return {r["code"] for r in candidate.reasons}


def age(case: Case, **delta: float) -> None:
    """Move a case and its index rows back in time."""
    when = case.created_at - dt.timedelta(**delta)
    Case.objects.filter(pk=case.pk).update(created_at=when)
    DuplicateProfile.objects.filter(case_id=case.pk).update(created_at=when)
    DuplicateBand.objects.filter(case_id=case.pk).update(created_at=when)


@override_settings(DUPLICATES_AUTO_MERGE_HOURS=24)
class CandidateTests(CaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.agent = account("hotline1", Role.HOTLINE_AGENT, division=Division.objects.get(code="990100"))

    def test_a_hotline_call_finds_the_web_report_with_the_reasons(self):
        web = self.report(description=TEXT)
        call = self.report(
            actor=self.agent,
            channel="hotline_12345",
            description=PARAPHRASE,
            lon=None,
            lat=None,
            community_code=community_code(0, 0),
            reporter_phone="13812345678",
        )
        [candidate] = DuplicateCandidate.objects.filter(case=call)
        assert candidate.other == web and candidate.status == "open"
        assert {"text", "same_phone", "same_category", "hours"} <= codes(candidate)
        assert candidate.score >= 0.6 and "same_community" in codes(candidate)
        text = [duplicates.reason_text(r) for r in candidate.reasons]
        assert any(t.startswith("description ") and t.endswith("% similar") for t in text)
        assert "same caller number" in text and "within 1 hour" in text

    def test_a_grid_workers_report_nearby_from_another_person_shows_the_distance(self):
        web = self.report(description=TEXT)
        grid = self.report(
            actor=self.carol,
            channel="grid_worker",
            description=PARAPHRASE,
            lon=120.0505,
            lat=28.0503,
            reporter_phone="",
            reporter_name="",
        )
        [candidate] = DuplicateCandidate.objects.filter(case=grid)
        assert candidate.other == web
        distance = next(r for r in candidate.reasons if r["code"] == "distance")
        assert 40 <= distance["value"] <= 80
        assert "same_phone" not in codes(candidate) and "same_account" not in codes(candidate)

    def test_unrelated_text_is_no_candidate(self):
        self.report(description=TEXT)
        other = self.report(description=UNRELATED, reporter_phone="13900000000")
        assert not DuplicateCandidate.objects.filter(case=other).exists()

    def test_nothing_is_found_outside_the_window(self):
        old = self.report(description=TEXT)
        age(old, days=31)
        new = self.report(description=PARAPHRASE, reporter_phone="13900000000")
        assert not DuplicateCandidate.objects.filter(case=new).exists()
        with override_settings(DUPLICATES_WINDOW_DAYS=40):
            newer = self.report(description=PARAPHRASE, reporter_phone="13900000001")
        assert DuplicateCandidate.objects.filter(case=newer, other=old).exists()

    def test_merged_cases_are_no_master(self):
        first = self.report(description=TEXT)
        second = self.report(description=PARAPHRASE, reporter_phone="13900000000")
        duplicates.do_merge_candidate(DuplicateCandidate.objects.get(case=second), acting_user=self.alice)
        third = self.report(description=PARAPHRASE, reporter_phone="13900000001")
        assert set(DuplicateCandidate.objects.filter(case=third).values_list("other", flat=True)) == {first.pk}

    def test_a_hot_band_reads_only_its_newest_cases(self):
        filed = [self.report(description=TEXT, reporter_phone=f"1390000000{n}") for n in range(4)]
        probe = dataclasses.replace(duplicates.Probe.of_case(filed[-1]), case_id=None, phone="", reporter_id=None)
        probe.created_at += dt.timedelta(minutes=1)
        items = [(probe, duplicates.band_values(probe.text))]

        def found():
            (keys,) = duplicates._candidate_keys(items, window_days=1)
            return [k[0] for k in keys]

        assert set(found()) == {c.pk for c in filed}
        with mock.patch.object(duplicates, "HOT_BAND_LIMIT", 2):
            assert set(found()) == {c.pk for c in filed[2:]}
            with mock.patch.object(duplicates, "BAND_CANDIDATES", 1):
                assert found() == [filed[-1].pk]

    def test_profiles_compared_come_from_this_process_copy(self):
        first = self.report(description=TEXT)  # the intake leaves its profile in the copy
        probe = dataclasses.replace(duplicates.Probe.of_case(first), case_id=None, phone="13900000009")
        probe.created_at += dt.timedelta(hours=1)
        with self.assertNumQueries(2):  # the candidates' keys, and which of them are merged or invalid
            [found] = duplicates.find(probe)
        assert found.other_id == first.pk
        duplicates._PROFILES.clear()
        with self.assertNumQueries(3):  # and the profile read once
            assert [f.other_id for f in duplicates.find(probe)] == [first.pk]
        with self.assertNumQueries(2):
            duplicates.find(probe)

    def test_a_profile_changed_or_a_number_used_again_is_read_afresh(self):
        first = self.report(description=TEXT)
        probe = dataclasses.replace(duplicates.Probe.of_case(first), case_id=None, phone="13900000009")
        probe.created_at += dt.timedelta(hours=1)
        assert round(duplicates.find(probe)[0].hours) == 1
        age(first, hours=5)  # its profile's stamp changes: the copy under the old one is not used
        assert round(duplicates.find(probe)[0].hours) == 6
        # what a case of the same number rolled back or deleted before left behind (another stamp) is not used
        stale = dataclasses.replace(duplicates.Probe.of_case(first), text=duplicates.normalise(UNRELATED))
        stale.created_at -= dt.timedelta(minutes=1)
        duplicates._PROFILES.clear()
        duplicates._PROFILES.put([(duplicates._key(stale), stale)])
        [found] = duplicates.find(probe)
        assert found.other_id == first.pk and "same_text" in found.codes

    def test_the_copy_keeps_the_newest_profiles(self):
        probes = [
            duplicates.Probe(case_id=n, created_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC), text="x") for n in range(5)
        ]
        duplicates._PROFILES.clear()
        with override_settings(DUPLICATES_PROFILE_CACHE=3):
            duplicates._PROFILES.put((duplicates._key(p), p) for p in probes)
        assert [k[0] for k in duplicates._PROFILES.items] == [2, 3, 4]


class ReachTests(SimpleTestCase):
    """within_reach() rules out pairs before their texts are compared: it must never rule out one that scores."""

    @settings(max_examples=300, deadline=None)
    @given(
        st.fixed_dictionaries(
            {
                "text": st.sampled_from([TEXT, PARAPHRASE, UNRELATED]),
                "offsets": st.tuples(*[st.floats(-0.02, 0.02)] * 4),
                "phones": st.tuples(st.sampled_from(["", "13900000001"]), st.sampled_from(["", "13900000001", "139"])),
                "category": st.sampled_from([None, 1, 2]),
                "reporter": st.sampled_from([None, 7]),
                "pinned": st.booleans(),
                "where": st.sampled_from(["990100001001", "990100001002", "990100001001001", "990100002001", "9902"]),
                "hours": st.floats(0, 100),
            }
        ),
        st.sampled_from([0.3, 0.45, 0.6, 0.75, 0.9]),
    )
    def test_nothing_that_scores_is_out_of_reach(self, pair, m):
        at = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
        a = duplicates.Probe(1, at, duplicates.normalise(TEXT), phone=pair["phones"][0], category_id=1, reporter_id=7)
        a.territory_code = "990100001001"
        b = duplicates.Probe(
            2,
            at - dt.timedelta(hours=pair["hours"]),
            duplicates.normalise(pair["text"]),
            phone=pair["phones"][1],
            category_id=pair["category"],
            reporter_id=pair["reporter"],
            territory_code=pair["where"],
        )
        if pair["pinned"]:
            x = pair["offsets"]
            a.lon, a.lat, b.lon, b.lat = 120.05 + x[0], 28.05 + x[1], 120.05 + x[2], 28.05 + x[3]
        a.text_key, b.text_key = duplicates.text_key(a.text), duplicates.text_key(b.text)
        value, _ = duplicates.score(a, b, min_score=m)
        assert value < m or duplicates.within_reach(a, b, m)


@override_settings(DUPLICATES_AUTO_MERGE_HOURS=24)
class AutoMergeTests(CaseTestCase):
    def test_an_exact_repeat_from_the_same_phone_is_merged_at_intake(self):
        first = self.report(description=TEXT)
        again = self.report(description=TEXT.replace("，", " ") + "。")
        assert again.status == "merged" and again.master == first  # the intake's own object is current
        stored = Case.objects.get(pk=again.pk)
        assert stored.status == "merged" and stored.master_id == first.pk
        event = CaseEvent.objects.get(case=again, action="merge")
        assert event.actor_label == "triage" and event.data == {"master": first.tracking_no}
        candidate = DuplicateCandidate.objects.get(case=again, other=first)
        assert candidate.status == "merged" and candidate.note == "auto"
        actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
        assert actions[-2:] == ["cases.merge", "triage.auto_merge"]

    def test_a_similar_but_different_report_from_the_same_phone_is_not_merged(self):
        first = self.report(description=TEXT)
        second = self.report(description=PARAPHRASE)
        assert second.status == "submitted"
        candidate = DuplicateCandidate.objects.get(case=second, other=first)
        assert candidate.status == "open" and "same_phone" in codes(candidate)

    def test_the_same_text_from_another_phone_is_not_merged(self):
        first = self.report(description=TEXT)
        second = self.report(description=TEXT, reporter_phone="13900000000", actor=self.alice)
        assert second.status == "submitted"
        assert "same_text" in codes(DuplicateCandidate.objects.get(case=second, other=first))

    def test_a_repeat_after_the_auto_merge_hours_waits_for_a_person(self):
        first = self.report(description=TEXT)
        age(first, hours=30)
        second = self.report(description=TEXT)
        assert second.status == "submitted"
        assert DuplicateCandidate.objects.get(case=second, other=first).status == "open"

    @override_settings(DUPLICATES_AUTO_MERGE_HOURS=0)
    def test_auto_merge_can_be_turned_off(self):
        self.report(description=TEXT)
        assert self.report(description=TEXT).status == "submitted"

    def test_a_repeat_of_a_closed_case_is_filed(self):
        first = self.report(description=TEXT)
        Case.objects.filter(pk=first.pk).update(status="closed")
        assert self.report(description=TEXT).status == "submitted"


@override_settings(DUPLICATES_AUTO_MERGE_HOURS=24)
class DecisionTests(CaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.first = cls.report(cls, description=TEXT)
        cls.second = cls.report(cls, description=PARAPHRASE, reporter_phone="13900000000", actor=cls.users["alice"])
        cls.candidate = DuplicateCandidate.objects.get(case=cls.second, other=cls.first)
        # same text and phone 10 km away in grid A-1-2, outside carol's grid: merged by nobody automatically
        cls.far = cls.report(cls, description=TEXT, lon=120.15, lat=28.05, reporter_phone="13900000000")
        cls.staff = account("a1staff", Role.COMMUNITY_STAFF, division=Division.objects.get(code=community_code(0, 0)))

    def test_the_case_page_shows_the_panel_with_score_reasons_and_buttons(self):
        self.login("carol")
        html = self.client.get(f"/cases/{self.second.tracking_no}/").content.decode()
        assert 'data-testid="duplicates"' in html and self.first.tracking_no in html
        assert "same category" in html and f"/triage/duplicates/{self.candidate.pk}/merge/" in html
        assert "csrfmiddlewaretoken" in html

    def test_candidates_outside_the_territory_are_not_shown(self):
        far = DuplicateCandidate.objects.filter(case=self.far)
        assert far.exists()
        self.login("carol")  # her grid holds first and second, not far
        html = self.client.get(f"/cases/{self.first.tracking_no}/").content.decode()
        assert self.second.tracking_no in html and self.far.tracking_no not in html
        assert self.client.post(f"/triage/duplicates/{far[0].pk}/dismiss/").status_code == 404
        self.client.force_login(self.staff)  # the community sees both grids
        html = self.client.get(f"/cases/{self.first.tracking_no}/").content.decode()
        assert self.far.tracking_no in html

    def test_residents_and_other_holders_see_no_panel(self):
        self.login("frank")
        html = self.client.get(f"/cases/{self.first.tracking_no}/").content.decode()
        assert self.first.tracking_no in html and 'data-testid="duplicates"' not in html

    def test_one_click_merge_goes_through_the_merge_action(self):
        self.login("carol")
        response = self.client.post(f"/triage/duplicates/{self.candidate.pk}/merge/")
        assert response.status_code == 302
        second = Case.objects.get(pk=self.second.pk)
        assert second.status == "merged" and second.master_id == self.first.pk
        candidate = DuplicateCandidate.objects.get(pk=self.candidate.pk)
        assert candidate.status == "merged" and candidate.decided_by == self.carol and candidate.decided_at
        assert CaseEvent.objects.filter(case=second, action="merge", actor=self.carol).exists()
        entries = list(AuditEntry.objects.order_by("-seq")[:2].values_list("action", "object_id"))
        assert entries == [("triage.merge_duplicate", str(candidate.pk)), ("cases.merge", str(second.pk))]
        again = self.client.post(f"/triage/duplicates/{self.candidate.pk}/merge/", follow=True)
        assert "already merged" in again.content.decode()

    def test_dismiss_records_who_and_why(self):
        self.login("carol")
        self.client.post(f"/triage/duplicates/{self.candidate.pk}/dismiss/", {"note": "另一家店"})
        candidate = DuplicateCandidate.objects.get(pk=self.candidate.pk)
        assert candidate.status == "dismissed" and candidate.note == "另一家店" and candidate.decided_by == self.carol
        entry = AuditEntry.objects.order_by("-seq").first()
        assert entry.action == "triage.dismiss_duplicate" and entry.after["status"] == "dismissed"
        assert Case.objects.get(pk=self.second.pk).status == "submitted"
        html = self.client.get(f"/cases/{self.second.tracking_no}/").content.decode()
        assert 'data-testid="duplicates"' not in html

    def test_who_may_not_act_changes_nothing(self):
        self.login("bob")  # the street sees the cases; the community holds them
        for verb in ("merge", "dismiss"):
            response = self.client.post(f"/triage/duplicates/{self.candidate.pk}/{verb}/", follow=True)
            assert "not yours to act on" in response.content.decode()
        assert DuplicateCandidate.objects.get(pk=self.candidate.pk).status == "open"
        assert Case.objects.get(pk=self.second.pk).status == "submitted"

    def test_other_territories_missing_and_anonymous(self):
        self.login("dave")
        assert self.client.post(f"/triage/duplicates/{self.candidate.pk}/merge/").status_code == 404
        assert self.client.post("/triage/duplicates/999999/merge/").status_code == 404
        self.client.logout()
        assert self.client.post(f"/triage/duplicates/{self.candidate.pk}/merge/").status_code == 302
        assert DuplicateCandidate.objects.get(pk=self.candidate.pk).status == "open"

    def test_a_get_is_not_a_decision(self):
        self.login("carol")
        assert self.client.get(f"/triage/duplicates/{self.candidate.pk}/merge/").status_code == 405

    def test_the_dispatcher_list_is_scoped(self):
        self.client.force_login(self.staff)
        html = self.client.get("/triage/duplicates/").content.decode()
        assert self.second.tracking_no in html and self.far.tracking_no in html
        self.login("carol")
        html = self.client.get("/triage/duplicates/").content.decode()
        assert self.second.tracking_no in html and self.far.tracking_no not in html
        self.login("dave")
        assert self.second.tracking_no not in self.client.get("/triage/duplicates/").content.decode()
        self.login("frank")
        assert self.client.get("/triage/duplicates/").status_code == 403

    def test_the_list_leaves_out_candidates_whose_case_was_closed_since(self):
        closed = [self.report(description=PARAPHRASE, reporter_phone=f"1390000010{n}") for n in range(3)]
        assert DuplicateCandidate.objects.filter(case__in=closed).count() >= 3
        Case.objects.filter(pk__in=[c.pk for c in closed]).update(status="closed")
        candidates = duplicates.visible_candidates(self.staff)
        assert not candidates.filter(case__in=closed).exists()
        assert len(duplicates.rows_for(self.staff, candidates)) == candidates.count() > 0  # every row counted shows
        self.client.force_login(self.staff)
        html = self.client.get("/triage/duplicates/").content.decode()
        assert self.second.tracking_no in html and not any(c.tracking_no in html for c in closed)


class IndexCommandTests(CaseTestCase):
    def test_cases_written_without_the_intake_get_indexed_with_candidates(self):
        first = self.report(description=TEXT)
        second = self.report(description=PARAPHRASE, reporter_phone="13900000000")
        third = self.report(description=UNRELATED, reporter_phone="13900000001")
        DuplicateCandidate.objects.all().delete()
        DuplicateBand.objects.all().delete()
        DuplicateProfile.objects.all().delete()
        call_command("triage_index", "--since", "2", verbosity=0)
        assert DuplicateProfile.objects.count() == 3
        assert DuplicateBand.objects.filter(case_id=first.pk).count() == duplicates.BANDS
        [candidate] = DuplicateCandidate.objects.all()
        assert (candidate.case_id, candidate.other_id) == (second.pk, first.pk)
        found = duplicates.find(duplicates.Probe.of_case(second))
        assert (round(candidate.score, 4), candidate.reasons) == (found[0].score, found[0].reasons)
        assert not DuplicateCandidate.objects.filter(case=third).exists()
        call_command("triage_index", "--since", "2", verbosity=0)  # a second run adds nothing
        assert DuplicateProfile.objects.count() == 3 and DuplicateCandidate.objects.count() == 1

    def test_the_window_of_since_is_respected(self):
        old = self.report(description=TEXT)
        Case.objects.filter(pk=old.pk).update(created_at=old.created_at - dt.timedelta(days=10))
        DuplicateProfile.objects.all().delete()
        call_command("triage_index", "--since", "5", verbosity=0)
        assert not DuplicateProfile.objects.exists()
        call_command("triage_index", "--since", "11", verbosity=0)
        assert DuplicateProfile.objects.filter(case_id=old.pk).exists()
