from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    DISTRICT = "district", _("District")
    STREET = "street", _("Street / township")
    COMMUNITY = "community", _("Community / village")


class DivisionKind(models.TextChoices):
    DISTRICT = "district", _("District (区)")
    COUNTY = "county", _("County / county-level city (县/市)")
    STREET = "street", _("Street (街道)")
    TOWN = "town", _("Town (镇)")
    TOWNSHIP = "township", _("Township (乡)")
    COMMUNITY = "community", _("Community (社区)")
    VILLAGE = "village", _("Village (村)")


KIND_LEVEL = {
    DivisionKind.DISTRICT: Level.DISTRICT,
    DivisionKind.COUNTY: Level.DISTRICT,
    DivisionKind.STREET: Level.STREET,
    DivisionKind.TOWN: Level.STREET,
    DivisionKind.TOWNSHIP: Level.STREET,
    DivisionKind.COMMUNITY: Level.COMMUNITY,
    DivisionKind.VILLAGE: Level.COMMUNITY,
}
CODE_LENGTH = {Level.DISTRICT: 6, Level.STREET: 9, Level.COMMUNITY: 12}
GRID_CODE_LENGTH = 15


class GridKind(models.TextChoices):
    RESIDENTIAL = "residential", _("Residential grid (综合网格)")
    SCHOOL = "school", _("School grid (专属网格)")
    HOSPITAL = "hospital", _("Hospital grid (专属网格)")
    INDUSTRIAL = "industrial", _("Industrial park grid (专属网格)")
    MARKET = "market", _("Market grid (专属网格)")
    SCENIC = "scenic", _("Scenic area grid (专属网格)")


class StaffRole(models.TextChoices):
    FULL_TIME = "full_time", _("Full-time grid worker (专职网格员)")
    PART_TIME = "part_time", _("Part-time grid worker (兼职网格员)")
    LEADER = "leader", _("Grid leader (网格长)")
    INSTRUCTOR = "instructor", _("Grid instructor (网格指导员)")


class AdmissionStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
