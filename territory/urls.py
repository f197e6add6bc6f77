from django.urls import path

from territory import views

app_name = "territory"
urlpatterns = [
    path("map/", views.MapView.as_view(), name="map"),
    path("map/data.json", views.map_data, name="map_data"),
    path("search/", views.search, name="search"),
    path("grids/<str:code>/", views.grid_detail, name="grid"),
    path("grids/<str:code>/assign/", views.assign_staff, name="assign_staff"),
    path("assignments/<int:pk>/end/", views.end_assignment, name="end_assignment"),
    path("divisions/<str:code>/", views.division_detail, name="division"),
    path("journal/<str:kind>/<str:code>/", views.add_journal_entry, name="add_journal"),
    path("admission/", views.admission_list, name="admission"),
    path("admission/<int:pk>/decide/", views.admission_decide, name="admission_decide"),
    path("export/<str:name>", views.export, name="export"),
    path("import/", views.import_view, name="import"),
]
