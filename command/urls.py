from django.urls import path

from command import views

app_name = "command"
urlpatterns = [
    path("command/", views.overview, name="overview"),
    path("command/live/", views.live, name="live"),
    path("command/screen/", views.screen, name="screen"),
    path("command/map/", views.map_page, name="map"),
    path("command/map/figures.json", views.map_figures, name="map_figures"),
    path("command/map/points.json", views.map_points, name="map_points"),
    path("command/map/heat.json", views.map_heat, name="map_heat"),
    path("command/map/staff.json", views.map_staff, name="map_staff"),
    path("command/map/track.json", views.map_track, name="map_track"),
    path("command/area/<str:code>/", views.area, name="area"),
    path("command/hotspots/", views.hotspots, name="hotspots"),
    path("command/problems/", views.problems, name="problems"),
    path("command/forecast/", views.forecast, name="forecast"),
    path("command/guidance/", views.guidance, name="guidance"),
    path("command/reports/", views.reports, name="reports"),
    path("command/reports/<int:pk>/<str:kind>", views.report_file, name="report_file"),
    path("checkin/", views.checkin, name="checkin"),
]
