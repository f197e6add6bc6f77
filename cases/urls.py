from django.urls import path

from cases import views, views_units

app_name = "cases"
urlpatterns = [
    path("cases/", views.case_list, name="list"),
    path("cases/callbacks/", views.callbacks, name="callbacks"),
    path("cases/import/", views.import_cases, name="import"),
    path("cases/<str:tracking_no>/", views.case_detail, name="detail"),
    path("cases/<str:tracking_no>/act/<str:action>/", views.case_act, name="act"),
    path("report/", views.report, name="report"),
    path("hotline/", views.hotline, name="hotline"),
    path("hotline/caller/", views.hotline_caller, name="hotline_caller"),
    path("hotline/similar/", views.hotline_similar, name="hotline_similar"),
    path("report/<str:tracking_no>/", views.reported, name="reported"),
    path("track/", views.track, name="track"),
    path("assessment/", views.assessment, name="assessment"),
    path("assessment/commitments/", views_units.commitments, name="commitments"),
    path("points/", views_units.points, name="points"),
    path("outline.json", views.district_outline, name="outline"),
]
