from django.urls import path

from incidents.api import views

urlpatterns = [
    path("incidents", views.IncidentListApi.as_view(), name="api-incidents"),
    path("incidents/camera-stats", views.CameraStatsApi.as_view(), name="api-incident-camera-stats"),
    path("incidents/<int:pk>", views.IncidentDetailApi.as_view(), name="api-incident"),
    path("incidents/<int:pk>/dispatch", views.IncidentDispatchApi.as_view(), name="api-incident-dispatch"),
    path("incidents/<int:pk>/outcome", views.IncidentOutcomeApi.as_view(), name="api-incident-outcome"),
]
