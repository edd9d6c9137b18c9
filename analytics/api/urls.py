from django.urls import path  # noqa: F401

from analytics.api import views as statistics_api

urlpatterns: list = [
    path("statistics", statistics_api.StatisticsIndexApi.as_view(), name="api-statistics"),
    path("statistics/<str:indicator>", statistics_api.StatisticsTableApi.as_view(), name="api-statistics-table"),
]
