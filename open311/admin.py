"""Admin pages: Open311 application keys (created through the action, the key shown once), services and their
attributes, requests. Like the rest of Fengqiao's admin, domain rows are read-only here: writes go through
actions (keys) or the seed and define_service (services)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.choices import Channel
from core.admin import ReadOnlyAdmin
from open311.actions import create_key, do_set_key_active
from open311.models import AttributeValue, Open311Key, ServiceAttribute, ServiceProfile, ServiceRequest


class KeyForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Application name"), max_length=100)
    requests_per_minute = forms.IntegerField(
        label=gettext_lazy("Rate limit (requests per minute)"), initial=600, min_value=1
    )


@admin.register(Open311Key)
class Open311KeyAdmin(admin.ModelAdmin):
    list_display = ("name", "key_prefix", "requests_per_minute", "is_active", "created_at", "created_by")
    readonly_fields = ("name", "channel", "key_prefix", "requests_per_minute", "is_active", "created_at", "created_by")
    exclude = ("key_hash",)
    actions = ["disable_keys", "enable_keys"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(channel=Channel.OPEN311)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None) -> HttpResponse:
        """Not the model form: the key is made by the action (audited) and shown once."""
        form = KeyForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                client, key = create_key(
                    form.cleaned_data["name"],
                    acting_user=request.user,
                    requests_per_minute=form.cleaned_data["requests_per_minute"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.warning(
                    request, _("api_key of %(name)s, shown only now: %(key)s") % {"name": client.name, "key": key}
                )
                return redirect("admin:open311_open311key_changelist")
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "opts": self.model._meta,
            "title": _("New Open311 application key"),
        }
        return TemplateResponse(request, "open311/admin_key_form.html", context)

    @admin.action(description=gettext_lazy("Disable the selected keys"))
    def disable_keys(self, request, queryset):
        for client in queryset:
            do_set_key_active(client, False, acting_user=request.user)

    @admin.action(description=gettext_lazy("Enable the selected keys"))
    def enable_keys(self, request, queryset):
        for client in queryset:
            do_set_key_active(client, True, acting_user=request.user)


class AttributeValueInline(admin.TabularInline):
    model = AttributeValue
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ServiceProfile)
class ServiceProfileAdmin(ReadOnlyAdmin):
    list_display = ("category", "listed", "moderated", "keywords")
    list_filter = ("listed", "moderated")
    search_fields = ("category__name", "category__code")


@admin.register(ServiceAttribute)
class ServiceAttributeAdmin(ReadOnlyAdmin):
    list_display = ("category", "order", "code", "datatype", "required", "variable", "description")
    search_fields = ("category__name", "category__code", "code")
    inlines = [AttributeValueInline]


@admin.register(ServiceRequest)
class ServiceRequestAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "client", "category", "state", "case", "token")
    list_filter = ("state", "client")
    search_fields = ("token", "case__tracking_no")
