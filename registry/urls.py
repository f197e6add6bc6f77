from django.urls import path

from registry import views

app_name = "registry"
urlpatterns = [
    path("registry/", views.home, name="home"),
    path("registry/search/", views.search, name="search"),
    path("registry/people/", views.person_list, name="people"),
    path("registry/people/<int:pk>/", views.person_detail, name="person"),
    path("registry/people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("registry/people/<int:pk>/unmask/", views.person_unmask, name="person_unmask"),
    path("registry/people/<int:pk>/<str:event>/", views.person_event, name="person_event"),
    path("registry/houses/", views.house_list, name="houses"),
    path("registry/houses/new/", views.house_new, name="house_new"),
    path("registry/houses/<int:pk>/", views.house_detail, name="house"),
    path("registry/houses/<int:pk>/edit/", views.house_edit, name="house_edit"),
    path("registry/houses/<int:pk>/move-in/", views.house_move_in, name="house_move_in"),
    path("registry/houses/<int:pk>/register/", views.house_register_person, name="house_register"),
    path("registry/houses/<int:pk>/<str:event>/", views.house_event, name="house_event"),
    path("registry/organisations/", views.organisation_list, name="organisations"),
    path("registry/organisations/new/", views.organisation_new, name="organisation_new"),
    path("registry/organisations/<int:pk>/", views.organisation_detail, name="organisation"),
    path("registry/organisations/<int:pk>/end/", views.organisation_end, name="organisation_end"),
    path("registry/places/", views.place_list, name="places"),
    path("registry/places/new/", views.place_new, name="place_new"),
    path("registry/places/map/", views.place_map, name="place_map"),
    path("registry/places/map.json", views.place_map_data, name="place_map_data"),
    path("registry/places/<int:pk>/", views.place_detail, name="place"),
    path("registry/places/<int:pk>/close/", views.place_close, name="place_close"),
    path("registry/duplicates/", views.duplicates, name="duplicates"),
    path("registry/duplicates/<int:pk>/", views.duplicate_decide, name="duplicate_decide"),
    path("registry/access-log/", views.access_log, name="access_log"),
    path("registry/import/", views.import_view, name="import"),
    path("registry/templates/<str:kind>.<str:fmt>", views.template_download, name="template"),
    path("registry/export/<str:kind>/", views.export_view, name="export"),
    path("open-data/", views.open_data_page, name="open_data"),
    path("open-data/registry-grids.<str:fmt>", views.open_data_file, name="open_data_file"),
]
