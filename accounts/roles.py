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

# Base-data registry (registry app): lists and pages are masked; unmasking and exports are logged (registry.privacy).
_REGISTRY_READ = {f"registry.view_{m}" for m in ("person", "house", "household", "organisation", "place", "inspection")}
_REGISTRY_RECORD = {
    f"registry.{verb}_{m}" for verb in ("add", "change") for m in ("person", "house", "organisation", "place")
} | {"registry.add_inspection", "registry.view_mergecandidate"}
_REGISTRY_CARE = {"registry.view_care_label", "registry.change_care_label"}
_REGISTRY_KEY = {"registry.view_key_label", "registry.change_key_label"}
_REGISTRY_FIELD = _REGISTRY_READ | _REGISTRY_RECORD | _REGISTRY_CARE | {"registry.unmask_person"}
_REGISTRY_OFFICE = (
    _REGISTRY_FIELD | _REGISTRY_KEY | {"registry.import_registry", "registry.export_person", "registry.merge_person"}
)
_REGISTRY_BY_ROLE = {
    Role.GRID_WORKER: _REGISTRY_FIELD,
    Role.GRID_LEADER: _REGISTRY_FIELD | _REGISTRY_KEY,
    Role.COMMUNITY_STAFF: _REGISTRY_OFFICE,
    Role.STREET_COMMAND: _REGISTRY_OFFICE,
    Role.DISTRICT_COMMAND: _REGISTRY_READ | _REGISTRY_CARE | {"registry.import_registry", "registry.export_person"},
    Role.DEPARTMENT_HANDLER: _REGISTRY_READ,
    Role.LEADER: _REGISTRY_READ | {"registry.view_accesslog"},
    Role.ADMINISTRATOR: _REGISTRY_OFFICE | {"registry.view_accesslog"},
}
ROLE_PERMISSIONS = {role: perms | _REGISTRY_BY_ROLE.get(Role(role), set()) for role, perms in ROLE_PERMISSIONS.items()}
