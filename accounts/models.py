from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import GRID_ROLES, Role
from core.scoping import ALL

phone_validator = RegexValidator(r"^1[3-9]\d{9}$", _("Enter an 11-digit mainland mobile number."))


class User(AbstractUser):
    """An account. Staff accounts are bound to one territory node or to a department (S20)."""

    role = models.CharField(_("role"), max_length=30, choices=Role.choices, default=Role.RESIDENT)
    display_name = models.CharField(_("full name"), max_length=50, blank=True)
    phone = models.CharField(_("mobile"), max_length=11, blank=True, validators=[phone_validator])
    division = models.ForeignKey(
        "territory.Division",
        verbose_name=_("territory"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accounts",
    )
    department = models.ForeignKey(
        "territory.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accounts",
    )

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self) -> str:
        return self.display_name or self.username

    def territory_prefixes(self) -> list[str] | None:
        if self.is_superuser or (self.role == Role.ADMINISTRATOR and self.division_id is None):
            return ALL
        prefixes: list[str] = []
        if self.role in GRID_ROLES:
            prefixes += self.current_grid_codes()
        if self.division is not None:
            prefixes.append(self.division.code)
        if self.role == Role.DEPARTMENT_HANDLER and self.department is not None:
            prefixes.append(self.department.division.code)
        return sorted(set(prefixes))

    def current_grid_codes(self) -> list[str]:
        today = timezone.localdate()
        return list(
            self.grid_assignments.filter(models.Q(end_date__isnull=True) | models.Q(end_date__gt=today)).values_list(
                "grid__code", flat=True
            )
        )
