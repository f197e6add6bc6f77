from django.urls import path

from notify import views

app_name = "notify"
urlpatterns = [
    path("notifications/", views.inbox, name="inbox"),
    path("notifications/read/", views.mark_read, name="read"),
]
