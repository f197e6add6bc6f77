from django.urls import path

from triage import views

app_name = "triage"

urlpatterns: list = [
    # classification (triage queue)
    # duplicates
    path("triage/duplicates/", views.duplicate_list, name="duplicates"),
    path("triage/duplicates/<int:pk>/merge/", views.merge_duplicate, name="merge_duplicate"),
    path("triage/duplicates/<int:pk>/dismiss/", views.dismiss_duplicate, name="dismiss_duplicate"),
    # addresses and hot issues
]
