from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User


@admin.register(User)
class FengqiaoUserAdmin(UserAdmin):
    list_display = ("username", "display_name", "role", "division", "department", "is_active")
    list_filter = ("role", "is_active", "is_staff")
    search_fields = ("username", "display_name", "phone")
    autocomplete_fields = ("division", "department")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (_("Fengqiao"), {"fields": ("role", "display_name", "phone", "division", "department")}),
    )
