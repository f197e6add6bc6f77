from django.urls import path  # noqa: F401

app_name = "triage"

urlpatterns: list = [
    # classification (triage queue)
    # duplicates
    # addresses and hot issues
]
