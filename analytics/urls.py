from django.urls import path

from analytics.views import live as live_views
from analytics.views import rules
from analytics.views import statistics as statistics_views
from analytics.views import trends as trends_views

app_name = "analytics"

urlpatterns: list = [
    path("trends/", trends_views.trends, name="trends"),
    path("records/", trends_views.records, name="records"),
    path("statistics/", statistics_views.statistics, name="statistics"),
    path("live/", live_views.live_page, name="live"),
    path("live/panel/", live_views.live_panel, name="live-panel"),
    path("live/alerts/<int:pk>/acknowledge/", live_views.flow_alert_ack, name="flow-alert-acknowledge"),
    path("rules/", rules.rule_list, name="rule-list"),
    path("rules/new/", rules.rule_create, name="rule-create"),
    path("rules/<int:pk>/", rules.rule_detail, name="rule-detail"),
    path("rules/<int:pk>/enable/", rules.rule_enable, name="rule-enable"),
]
