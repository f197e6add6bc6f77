from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    RESIDENT_WEB = "resident_web", _("Resident web / app")
    GRID_WORKER = "grid_worker", _("Grid worker")
    HOTLINE = "hotline_12345", _("12345 hotline")
    LINKAGE_110 = "linkage_110", _("110 linkage")
    PETITION = "petition", _("Petition (信访)")
    DEPARTMENT = "department_system", _("Department system")
    IOT = "iot_alarm", _("IoT alarm")
    BULK = "bulk_import", _("Bulk import")
    OPEN311 = "open311", _("Open311 / API")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    DISPATCHED = "dispatched", _("Dispatched to a department")
    IN_PROGRESS = "in_progress", _("In progress")
    SUSPENDED = "suspended", _("Waiting for the resident")
    REPLIED = "replied", _("Replied")
    RESOLVED = "resolved", _("Resolved, awaiting confirmation")
    CLOSED = "closed", _("Closed")
    RETURNED = "returned", _("Returned (退单)")
    REOPENED = "reopened", _("Reopened")
    MERGED = "merged", _("Merged into another case")
    INVALID = "invalid", _("Invalid")


FINAL_STATUSES = frozenset({Status.CLOSED, Status.MERGED, Status.INVALID})
# The resolution clock runs in these states (the sweep's warnings and 督办); its partial indexes hold only them.
CLOCK_RUNNING = tuple(
    s for s in Status.values if s not in FINAL_STATUSES and s not in (Status.SUSPENDED, Status.RESOLVED)
)
# Waiting for the holder to respond: the response clock runs in these states.
AWAITING_RESPONSE = frozenset({Status.SUBMITTED, Status.DISPATCHED, Status.RETURNED, Status.REOPENED})


class Level(models.TextChoices):
    """Who holds a case: the three levels of 三级流转 plus a functional department."""

    COMMUNITY = "community", _("Community / village")
    STREET = "street", _("Street / township")
    DISTRICT = "district", _("District")
    DEPARTMENT = "department", _("Department")


NEXT_LEVEL = {Level.COMMUNITY: Level.STREET, Level.STREET: Level.DISTRICT}


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")
    EMERGENCY = "emergency", _("Emergency")


class Warning(models.TextChoices):
    NONE = "none", _("On time")
    YELLOW = "yellow", _("Due soon")
    RED = "red", _("Overdue")


class RouteAction(models.TextChoices):
    HANDLE = "handle", _("Handle at this level")
    ESCALATE = "escalate", _("Pass up to the next level")
    DISPATCH = "dispatch", _("Dispatch to a department")


ACTION_LABELS = {
    "intake": _("Reported"),
    "accept": _("Accepted"),
    "start": _("Work started"),
    "escalate": _("Passed up a level"),
    "dispatch": _("Dispatched to a department"),
    "return": _("Returned (退单)"),
    "suspend": _("Waiting for the resident"),
    "resume": _("Resumed"),
    "reply": _("Replied"),
    "co_reply": _("Co-handler replied"),
    "resolve": _("Resolved"),
    "confirm": _("Confirmed by the resident"),
    "reject": _("Rejected by the resident"),
    "invalidate": _("Marked invalid"),
    "merge": _("Merged"),
    "master_closed": _("Master case closed"),
    "supervise": _("Supervision order (督办)"),
    "warning_yellow": _("Deadline near"),
    "warning_red": _("Overdue"),
}
BUTTON_LABELS = {
    "accept": _("Accept"),
    "start": _("Start work"),
    "escalate": _("Pass up a level"),
    "dispatch": _("Dispatch"),
    "return": _("Return to dispatcher"),
    "suspend": _("Wait for the resident"),
    "resume": _("Resume"),
    "reply": _("Reply"),
    "resolve": _("Mark resolved"),
    "confirm": _("Confirm and rate"),
    "reject": _("Not resolved"),
    "invalidate": _("Mark invalid"),
    "merge": _("Merge"),
    "supervise": _("Issue 督办"),
}
