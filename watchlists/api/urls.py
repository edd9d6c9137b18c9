from django.urls import path

from watchlists.api import views

urlpatterns = [
    path("screening/persons", views.ScreenPersonApi.as_view(), name="api-screen-person"),
    path("screening/documents", views.ScreenDocumentApi.as_view(), name="api-screen-document"),
    path("screening/vehicles", views.ScreenVehicleApi.as_view(), name="api-screen-vehicle"),
    path("watchlists", views.WatchlistListApi.as_view(), name="api-watchlists"),
    path("watchlists/<str:code>", views.WatchlistDetailApi.as_view(), name="api-watchlist"),
    path("watchlists/<str:code>/imports", views.ImportCreateApi.as_view(), name="api-watchlist-import"),
    path("imports/<int:pk>", views.ImportDetailApi.as_view(), name="api-import"),
    path("imports/<int:pk>/confirm", views.ImportConfirmApi.as_view(), name="api-import-confirm"),
    path("hits", views.HitListApi.as_view(), name="api-hits"),
    path("hits/false-positive-rates", views.FalsePositiveRatesApi.as_view(), name="api-hit-fp-rates"),
    path("hits/<int:pk>/adjudicate", views.HitAdjudicateApi.as_view(), name="api-hit-adjudicate"),
]
for _kind in ("persons", "documents", "vehicles"):
    urlpatterns += [
        path(f"watchlists/<str:code>/{_kind}", views._entry_list_view(_kind).as_view(), name=f"api-{_kind}"),
        path(f"watchlists/<str:code>/{_kind}/<int:pk>", views._entry_detail_view(_kind).as_view(), name=f"api-{_kind}-detail"),
    ]
