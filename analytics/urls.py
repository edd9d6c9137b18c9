from django.urls import path  # noqa: F401

from analytics.views import statistics as statistics_views
from analytics.views import trends as trends_views

app_name = "analytics"

urlpatterns: list = [
    path("trends/", trends_views.trends, name="trends"),
    path("records/", trends_views.records, name="records"),
    path("statistics/", statistics_views.statistics, name="statistics"),
]
