"""Property test of the workflow: no sequence of actions breaks the case's invariants (one open holder,
level matches holder, deadlines ordered, counters equal to the log, state equal to the last step)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from cases import actions, workflow
from cases.choices import FINAL_STATUSES, Level
from cases.models import Case, CaseEvent, CaseUnit
from cases.testing import CaseTestCase
from core.models import AuditEntry

HANDLER_ACTIONS = [
    "accept",
    "start",
    "escalate",
    "dispatch",
    "return",
    "suspend",
    "resume",
    "reply",
    "resolve",
    "invalidate",
]
RESIDENT_ACTIONS = ["confirm", "reject"]


class WorkflowMachine(RuleBasedStateMachine):
    test: CaseTestCase

    @initialize()
    def report(self):
        self.case = self.test.report()

    def run(self, name: str):
        case = Case.objects.get(pk=self.case.pk)
        before = case.status
        admin, resident = self.test.alice, self.test.frank
        calls = {
            "accept": lambda: actions.do_accept(case, acting_user=admin),
            "start": lambda: actions.do_start(case, acting_user=admin),
            "escalate": lambda: actions.do_escalate(case, acting_user=admin, reason="r"),
            "dispatch": lambda: actions.do_dispatch(case, self.test.zjj, acting_user=admin),
            "return": lambda: actions.do_return(case, acting_user=admin, reason="r"),
            "suspend": lambda: actions.do_suspend(case, acting_user=admin, reason="r"),
            "resume": lambda: actions.do_resume(case, acting_user=admin),
            "reply": lambda: actions.do_reply(case, "答复", acting_user=admin),
            "resolve": lambda: actions.do_resolve(case, acting_user=admin, note="n"),
            "invalidate": lambda: actions.do_invalidate(case, acting_user=admin, reason="r"),
            "confirm": lambda: actions.do_confirm(case, acting_user=resident, rating=4),
            "reject": lambda: actions.do_reject(case, acting_user=resident, reason="r"),
        }
        allowed = name in workflow.allowed_actions(before)
        try:
            calls[name]()
        except workflow.IllegalTransition:
            assert not allowed, f"{name} refused in {before} although the table allows it"
        except ValidationError:
            assert Case.objects.get(pk=case.pk).status == before  # refused for a domain reason, nothing changed
        else:
            assert allowed, f"{name} accepted in {before} although the table forbids it"

    @rule(name=st.sampled_from(HANDLER_ACTIONS))
    def handle(self, name):
        self.run(name)

    @rule(name=st.sampled_from(RESIDENT_ACTIONS))
    def resident(self, name):
        self.run(name)

    @invariant()
    def consistent(self):
        case = Case.objects.select_related("holder_division").get(pk=self.case.pk)
        events = CaseEvent.objects.filter(case=case)
        assert case.status == events.last().to_status
        if case.status not in FINAL_STATUSES:
            assert (case.holder_division_id is None) != (case.holder_department_id is None)
            leads = CaseUnit.objects.filter(case=case, role=CaseUnit.Role.LEAD, active=True)
            assert leads.count() == 1
            lead = leads.get()
            assert (lead.division_id, lead.department_id) == (case.holder_division_id, case.holder_department_id)
        if case.holder_department_id:
            assert case.level == Level.DEPARTMENT
        elif case.holder_division_id:
            assert case.level == case.holder_division.level
        assert case.warn_at <= case.resolution_due
        assert case.escalation_count == events.filter(action="escalate").count()
        assert case.return_count == events.filter(action="return").count()
        assert case.reopen_count == events.filter(action="reject").count()
        assert AuditEntry.objects.filter(object_type="cases.case", object_id=str(case.pk)).count() == events.count()


class WorkflowPropertyTests(CaseTestCase):
    def test_no_sequence_of_actions_breaks_an_invariant(self):
        from hypothesis.stateful import run_state_machine_as_test

        WorkflowMachine.test = self
        run_state_machine_as_test(
            WorkflowMachine,
            settings=settings(
                max_examples=30, stateful_step_count=12, deadline=None, suppress_health_check=[HealthCheck.too_slow]
            ),
        )
