from django.urls import path

from watchlists import views

app_name = "watchlists"

urlpatterns = [
    path("", views.watchlist_list, name="list"),
    path("new/", views.watchlist_edit, name="new"),
    path("hits/", views.hit_queue_view, name="hits"),
    path("entries/<int:pk>/photo/", views.entry_photo, name="entry-photo"),
    path("hits/<int:pk>/adjudicate/", views.hit_adjudicate_view, name="hit-adjudicate"),
    path("imports/<int:pk>/", views.import_detail, name="import"),
    path("imports/<int:pk>/confirm/", views.import_confirm_view, name="import-confirm"),
    path("<str:code>/", views.watchlist_detail, name="detail"),
    path("<str:code>/edit/", views.watchlist_edit, name="edit"),
    path("<str:code>/import/", views.import_new, name="import-new"),
    path("<str:code>/persons/new/", views.person_edit, name="person-new"),
    path("<str:code>/persons/<int:pk>/edit/", views.person_edit, name="person-edit"),
    path("<str:code>/documents/new/", views.document_edit, name="document-new"),
    path("<str:code>/documents/<int:pk>/edit/", views.document_edit, name="document-edit"),
    path("<str:code>/vehicles/new/", views.vehicle_edit, name="vehicle-new"),
    path("<str:code>/vehicles/<int:pk>/edit/", views.vehicle_edit, name="vehicle-edit"),
    path("<str:code>/<str:kind>/<int:pk>/deactivate/", views.entry_deactivate_view, name="entry-deactivate"),
]
