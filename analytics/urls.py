from django.urls import path

from analytics.views import rules

app_name = "analytics"

urlpatterns: list = [
    path("rules/", rules.rule_list, name="rule-list"),
    path("rules/new/", rules.rule_create, name="rule-create"),
    path("rules/<int:pk>/", rules.rule_detail, name="rule-detail"),
    path("rules/<int:pk>/enable/", rules.rule_enable, name="rule-enable"),
]
