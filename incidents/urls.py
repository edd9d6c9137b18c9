from django.urls import path

from incidents import views

app_name = "incidents"

urlpatterns = [
    path("", views.incident_map, name="map"),
    path("map.json", views.incident_map_data, name="map-data"),
    path("map-panel/", views.incident_map_panel, name="map-panel"),
    path("list/", views.incident_list, name="list"),
    path("<int:pk>/", views.incident_detail, name="detail"),
    path("<int:pk>/facts/", views.incident_facts, name="facts"),
    path("<int:pk>/dispatch/", views.incident_dispatch_view, name="dispatch"),
    path("<int:pk>/contact/", views.incident_contact_view, name="contact"),
    path("<int:pk>/outcome/", views.incident_outcome_view, name="outcome"),
]
