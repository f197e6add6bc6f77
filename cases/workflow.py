"""The one table of allowed transitions. Every state change of a case is one of these actions."""

from __future__ import annotations

from django.utils.translation import gettext as _

from cases.choices import Status

S = Status
OPEN_FOR_HANDLING = frozenset({S.SUBMITTED, S.ACCEPTED, S.IN_PROGRESS, S.RETURNED, S.REOPENED})

TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "accept": (frozenset({S.SUBMITTED, S.DISPATCHED, S.RETURNED, S.REOPENED}), S.ACCEPTED),
    "start": (frozenset({S.ACCEPTED}), S.IN_PROGRESS),
    "escalate": (OPEN_FOR_HANDLING, S.SUBMITTED),
    "dispatch": (OPEN_FOR_HANDLING, S.DISPATCHED),
    "return": (frozenset({S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS}), S.RETURNED),
    "suspend": (frozenset({S.ACCEPTED, S.IN_PROGRESS}), S.SUSPENDED),
    "resume": (frozenset({S.SUSPENDED}), S.IN_PROGRESS),
    "reply": (frozenset({S.ACCEPTED, S.IN_PROGRESS}), S.REPLIED),
    "resolve": (frozenset({S.ACCEPTED, S.IN_PROGRESS, S.REPLIED}), S.RESOLVED),
    "confirm": (frozenset({S.RESOLVED}), S.CLOSED),
    "reject": (frozenset({S.RESOLVED}), S.REOPENED),
    "invalidate": (OPEN_FOR_HANDLING | {S.DISPATCHED}, S.INVALID),
    "merge": (OPEN_FOR_HANDLING | {S.DISPATCHED, S.SUSPENDED, S.REPLIED}, S.MERGED),
}


class IllegalTransition(Exception):
    """An action the case's state does not allow; carries the actions that are allowed."""

    def __init__(self, action: str, status: str) -> None:
        self.action, self.status, self.allowed = action, status, allowed_actions(status)
        super().__init__(
            _("cannot %(action)s a case that is %(status)s; allowed: %(allowed)s")
            % {"action": action, "status": status, "allowed": ", ".join(self.allowed) or _("none")}
        )


def allowed_actions(status: str) -> list[str]:
    return [name for name, (sources, _to) in TRANSITIONS.items() if status in sources]


def target(action: str, status: str) -> str:
    if action not in TRANSITIONS:
        raise ValueError(f"unknown action {action!r}")
    sources, to = TRANSITIONS[action]
    if status not in sources:
        raise IllegalTransition(action, status)
    return to
