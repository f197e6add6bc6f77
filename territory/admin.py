from django.contrib import admin

from territory.models import AdmissionItem, Department, Division, Grid, GridAssignment


class ReadOnlyGeometry(admin.ModelAdmin):
    readonly_fields = (
        "geometry",
        "min_lon",
        "min_lat",
        "max_lon",
        "max_lat",
        "centroid_lon",
        "centroid_lat",
        "area_m2",
    )

    def has_change_permission(self, request, obj=None):
        # Edits go through the actions (validation, audit trail): the admin only reads these.
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Division)
class DivisionAdmin(ReadOnlyGeometry):
    list_display = ("code", "name", "kind", "level", "parent")
    list_filter = ("level", "kind")
    search_fields = ("code", "name")


@admin.register(Grid)
class GridAdmin(ReadOnlyGeometry):
    list_display = ("code", "name", "kind", "community", "area_m2")
    list_filter = ("kind",)
    search_fields = ("code", "name")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "division")
    search_fields = ("code", "name")

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(GridAssignment)
class GridAssignmentAdmin(admin.ModelAdmin):
    list_display = ("grid", "user", "role", "start_date", "end_date")
    list_filter = ("role",)
    search_fields = ("grid__code", "grid__name", "user__username", "user__display_name")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(AdmissionItem)
class AdmissionItemAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "is_standing", "status", "department", "decided_at")
    list_filter = ("status", "is_standing")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
