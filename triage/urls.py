from django.urls import path

from triage import views_addrhot

app_name = "triage"

urlpatterns: list = [
    # classification (triage queue)
    # duplicates
    # addresses and hot issues
    path("triage/address/", views_addrhot.address_preview, name="address_preview"),
    path("triage/hot/", views_addrhot.hot_issues, name="hot"),
    path("triage/hot.xlsx", views_addrhot.hot_issues_xlsx, name="hot_xlsx"),
]
