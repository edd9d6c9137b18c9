from django.urls import path

from devices import views

app_name = "devices"

urlpatterns = [
    path("", views.device_health, name="health"),
    path("panel/", views.device_health_panel, name="health_panel"),
    path("new/", views.device_new, name="new"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
    path("<str:code>/", views.device_detail, name="detail"),
    path("<str:code>/edit/", views.device_edit, name="edit"),
    path("<str:code>/rotate/", views.device_rotate, name="rotate"),
    path("<str:code>/revoke/", views.device_revoke_view, name="revoke"),
    path("<str:code>/reactivate/", views.device_reactivate_view, name="reactivate"),
]
