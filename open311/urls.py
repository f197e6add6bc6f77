from django.urls import path

from open311 import moderation, views

app_name = "open311"
urlpatterns = [
    path("v2/", views.root, name="root"),
    path("v2/discovery.<str:fmt>", views.discovery, name="discovery"),
    path("v2/services.<str:fmt>", views.service_list, name="services"),
    path("v2/services/<str:service_code>.<str:fmt>", views.service_definition, name="service"),
    path("v2/requests.<str:fmt>", views.requests, name="requests"),
    path("v2/requests/<str:service_request_id>.<str:fmt>", views.request_detail, name="request"),
    path("v2/tokens/<str:token>.<str:fmt>", views.token, name="token"),
    path("v2/servicerequestupdates.<str:fmt>", views.request_updates, name="updates"),
    path("v2/servicerequeststages.<str:fmt>", views.request_stages, name="stages"),
    path("v2/media/<str:sha256>", views.media, name="media"),
    path("moderation/", moderation.queue, name="moderation"),
    path("moderation/<str:token>/accept/", moderation.accept, name="accept"),
    path("moderation/<str:token>/reject/", moderation.reject, name="reject"),
]
