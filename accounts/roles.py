"""Roles and what each may do. The only place permissions are granted (RoleBackend reads it)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    GRID_WORKER = "grid_worker", _("Grid worker")
    GRID_LEADER = "grid_leader", _("Grid leader")
    COMMUNITY_STAFF = "community_staff", _("Community staff")
    STREET_COMMAND = "street_command", _("Street command centre")
    DISTRICT_COMMAND = "district_command", _("District command centre")
    DEPARTMENT_HANDLER = "department_handler", _("Department handler")
    HOTLINE_AGENT = "hotline_agent", _("Hotline agent")
    LEADER = "leader", _("Leader")
    ADMINISTRATOR = "administrator", _("Administrator")


STAFF_ROLES = frozenset(Role) - {Role.RESIDENT}
# Roles whose territory is the grids they are assigned to rather than a division.
GRID_ROLES = frozenset({Role.GRID_WORKER, Role.GRID_LEADER})

_READ_TERRITORY = {
    "territory.view_division",
    "territory.view_grid",
    "territory.view_gridassignment",
    "territory.view_admissionitem",
    "territory.view_department",
    "core.view_journalentry",
    "core.add_journalentry",
}
_MANAGE_STAFF = {"territory.add_gridassignment", "territory.change_gridassignment"}
_REQUEST_ADMISSION = {"territory.add_admissionitem"}
_MANAGE_TERRITORY = {
    "territory.add_division",
    "territory.change_division",
    "territory.add_grid",
    "territory.change_grid",
    "territory.delete_grid",
    "territory.approve_admissionitem",
    "territory.add_department",
    "territory.change_department",
    "territory.export_territory",
}

_CASE_READ = {"cases.view_case", "cases.view_category", "cases.view_assessment", "cases.view_commitment"}
# 以奖代补 ledger: community and street staff keep it; 亮诺/亮绩: command centres record commitments and results.
_POINTS = {"cases.view_pointsentry", "cases.redeem_points"}
_COMMITMENTS = {"cases.add_commitment", "cases.change_commitment"}
_CASE_REPORT = {"cases.add_case"}
_CASE_HANDLE = {"cases.change_case"}
_CASE_SUPERVISE = {"cases.supervise_case"}
_OPEN311_MODERATE = {"open311.moderate_servicerequest", "open311.view_servicerequest"}
_CASE_CONFIGURE = {
    "cases.add_routingrule",
    "cases.change_routingrule",
    "cases.delete_routingrule",
    "cases.add_slapolicy",
    "cases.change_slapolicy",
    "cases.delete_slapolicy",
    "cases.add_calendarday",
    "cases.change_calendarday",
    "cases.delete_calendarday",
    "cases.view_routingrule",
    "cases.view_slapolicy",
    "cases.view_calendarday",
}

_COMMAND_VIEW = {"command.view_dashboard", "command.view_staffcheckin", "command.view_monthlyreport"}
_COMMAND_REPORT = {"command.add_monthlyreport"}
_CHECK_IN = {"command.add_staffcheckin"}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.RESIDENT: frozenset({"cases.view_case", "cases.add_case", "cases.view_pointsentry"}),
    Role.GRID_WORKER: frozenset(_READ_TERRITORY | _CASE_READ | _CASE_REPORT | _CASE_HANDLE | _CHECK_IN),
    Role.GRID_LEADER: frozenset(_READ_TERRITORY | _CASE_READ | _CASE_REPORT | _CASE_HANDLE | _CHECK_IN),
    Role.COMMUNITY_STAFF: frozenset(
        _READ_TERRITORY
        | _MANAGE_STAFF
        | _REQUEST_ADMISSION
        | _CASE_READ
        | _CASE_REPORT
        | _CASE_HANDLE
        | _POINTS
        | _COMMAND_VIEW
        | _COMMAND_REPORT
    ),
    Role.STREET_COMMAND: frozenset(
        _READ_TERRITORY
        | _MANAGE_STAFF
        | _REQUEST_ADMISSION
        | {"territory.export_territory"}
        | _CASE_READ
        | _CASE_REPORT
        | _CASE_HANDLE
        | _CASE_SUPERVISE
        | _POINTS
        | _COMMITMENTS
        | _COMMAND_VIEW
        | _COMMAND_REPORT
    ),
    Role.DISTRICT_COMMAND: frozenset(
        _READ_TERRITORY
        | _MANAGE_STAFF
        | _REQUEST_ADMISSION
        | {"territory.export_territory"}
        | _CASE_READ
        | _CASE_REPORT
        | _CASE_HANDLE
        | _CASE_SUPERVISE
        | _POINTS
        | _COMMITMENTS
        | _OPEN311_MODERATE
        | _COMMAND_VIEW
        | _COMMAND_REPORT
    ),
    Role.DEPARTMENT_HANDLER: frozenset(_READ_TERRITORY | _REQUEST_ADMISSION | _CASE_READ | _CASE_HANDLE),
    Role.HOTLINE_AGENT: frozenset(_READ_TERRITORY | _CASE_READ | _CASE_REPORT | _CASE_HANDLE | _OPEN311_MODERATE),
    Role.LEADER: frozenset(
        _READ_TERRITORY
        | {"territory.export_territory", "core.view_auditentry"}
        | _CASE_READ
        | _CASE_SUPERVISE
        | _COMMAND_VIEW
    ),
    Role.ADMINISTRATOR: frozenset(
        _READ_TERRITORY
        | _MANAGE_STAFF
        | _REQUEST_ADMISSION
        | _MANAGE_TERRITORY
        | _CASE_READ
        | _CASE_REPORT
        | _CASE_HANDLE
        | _CASE_SUPERVISE
        | _CASE_CONFIGURE
        | _POINTS
        | _COMMITMENTS
        | _OPEN311_MODERATE
        | _COMMAND_VIEW
        | _COMMAND_REPORT
        | {
            "core.view_auditentry",
            "core.view_auditcheckpoint",
            "accounts.view_user",
            "accounts.add_user",
            "accounts.change_user",
        }
    ),
}
