from django.urls import path

from travelers import views

app_name = "travelers"

urlpatterns = [
    path("checkpoint/", views.checkpoint, name="checkpoint"),
    path("checkpoint/read", views.checkpoint_read, name="checkpoint-read"),
    path("checkpoint/booth", views.checkpoint_booth, name="checkpoint-booth"),
    path("checkpoint/manual", views.checkpoint_manual, name="checkpoint-manual"),
    path("inspections/", views.inspection_list, name="inspection-list"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection-detail"),
    path("inspections/<int:pk>/decide", views.inspection_decide_view, name="inspection-decide"),
    path("inspections/<int:pk>/screening", views.inspection_screening, name="inspection-screening"),
    path("inspections/<int:pk>/hits/<int:hit_id>/resolve", views.inspection_hit_resolve_view,
         name="inspection-hit-resolve"),
    path("inspections/<int:pk>/abandon", views.inspection_abandon_view, name="inspection-abandon"),
    path("inspections/<int:pk>/override", views.inspection_override_view, name="inspection-override"),
    path("secondary/", views.secondary_queue, name="secondary-queue"),
    path("secondary/<int:pk>/", views.secondary_detail, name="secondary-detail"),
    path("persons/<int:pk>/", views.person_detail, name="person-detail"),
    path("overstays/", views.overstay_list, name="overstay-list"),
    path("stay-rules/", views.stay_rules, name="stay-rules"),
]

# Identity candidates (deduplication): the supervisors' adjudication queue.
from travelers import views_dedupe  # noqa: E402

urlpatterns += [
    path("candidates/", views_dedupe.candidate_list, name="candidate-list"),
    path("candidates/<int:pk>/", views_dedupe.candidate_detail, name="candidate-detail"),
]
