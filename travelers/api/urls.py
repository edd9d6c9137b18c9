from django.urls import path

from travelers.api import persons, views

urlpatterns = [
    path("documents/parse", views.DocumentParseApi.as_view(), name="api-document-parse"),
    path("inspections", views.InspectionStartApi.as_view(), name="api-inspection-start"),
    path("inspections/<int:pk>", views.InspectionDetailApi.as_view(), name="api-inspection-detail"),
    path("inspections/<int:pk>/decision", views.InspectionDecisionApi.as_view(), name="api-inspection-decision"),
    path("inspections/<int:pk>/hits/<int:hit_id>/resolve", views.InspectionHitResolveApi.as_view(),
         name="api-inspection-hit-resolve"),
    path("inspections/<int:pk>/override", views.InspectionOverrideApi.as_view(), name="api-inspection-override"),
    path("inspections/<int:pk>/abandon", views.InspectionAbandonApi.as_view(), name="api-inspection-abandon"),
    path("persons/<int:pk>", persons.PersonDetailApi.as_view(), name="api-person-detail"),
    path("persons/<int:pk>/movements", views.PersonMovementsApi.as_view(), name="api-person-movements"),
]
