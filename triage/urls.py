from django.urls import path

from triage import views_classify

app_name = "triage"

urlpatterns: list = [
    # classification (triage queue)
    path("triage/suggest/", views_classify.suggest, name="suggest"),
    path("triage/queue/", views_classify.queue, name="queue"),
    path("triage/queue/<str:tracking_no>/category/", views_classify.correct, name="correct"),
    # duplicates
    # addresses and hot issues
]
