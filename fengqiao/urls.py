from django.contrib import admin
from django.urls import include, path

from core.views import healthz
from fengqiao.api import api

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("accounts.urls")),
    path("", include("territory.urls")),
    path("", include("cases.urls")),
    path("", include("notify.urls")),
    path("open311/", include("open311.urls")),
    path("", include("command.urls")),
    path("", include("registry.urls")),
    path("", include("triage.urls")),
]
