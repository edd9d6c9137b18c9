from django.urls import path

from travelers.api import views

urlpatterns = [
    path("documents/parse", views.DocumentParseApi.as_view(), name="api-document-parse"),
    path("inspections", views.InspectionStartApi.as_view(), name="api-inspection-start"),
    path("inspections/<int:pk>", views.InspectionDetailApi.as_view(), name="api-inspection-detail"),
    path("inspections/<int:pk>/decision", views.InspectionDecisionApi.as_view(), name="api-inspection-decision"),
    path("persons/<int:pk>/movements", views.PersonMovementsApi.as_view(), name="api-person-movements"),
]
