from django.urls import path

from triage import views, views_addrhot, views_classify

app_name = "triage"

urlpatterns: list = [
    # classification (triage queue)
    path("triage/suggest/", views_classify.suggest, name="suggest"),
    path("triage/queue/", views_classify.queue, name="queue"),
    path("triage/queue/<str:tracking_no>/category/", views_classify.correct, name="correct"),
    # duplicates
    path("triage/duplicates/", views.duplicate_list, name="duplicates"),
    path("triage/duplicates/<int:pk>/merge/", views.merge_duplicate, name="merge_duplicate"),
    path("triage/duplicates/<int:pk>/dismiss/", views.dismiss_duplicate, name="dismiss_duplicate"),
    # addresses and hot issues
    path("triage/address/", views_addrhot.address_preview, name="address_preview"),
    path("triage/hot/", views_addrhot.hot_issues, name="hot"),
    path("triage/hot.xlsx", views_addrhot.hot_issues_xlsx, name="hot_xlsx"),
]
