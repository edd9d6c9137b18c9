"""URL map: pages under /<app>/, the API under /api/v1/, health at /healthz."""

from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from accounts.page_urls import audit_patterns, core_patterns
from core import views as core_views

api_v1 = [
    path("", include("core.api.urls")),
    path("", include("accounts.api.urls")),
    path("", include("travelers.api.urls")),
    path("", include("watchlists.api.urls")),
    path("", include("biometrics.api.urls")),
    path("", include("devices.api.urls")),
    path("", include("incidents.api.urls")),
    path("", include("registrations.api.urls")),
    path("", include("analytics.api.urls")),
    path("schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny]), name="schema"),
    # The split view serves Swagger UI's start-up script as a file (the CSP allows no inline
    # script); its page keeps one small inline <style>, allowed on this page only.
    path(
        "docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(url_name="schema", permission_classes=[AllowAny])
        ),
        name="api-docs",
    ),
]

urlpatterns = [
    path("", include(core_patterns)),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("audit/", include(audit_patterns)),
    path("travelers/", include("travelers.urls")),
    path("watchlists/", include("watchlists.urls")),
    path("biometrics/", include("biometrics.urls")),
    path("devices/", include("devices.urls")),
    path("incidents/", include("incidents.urls")),
    path("registrations/", include("registrations.urls")),
    path("analytics/", include("analytics.urls")),
    path("api/v1/", include(api_v1)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
]

# Media (biometric images, document portraits) is never served as static files: each app serves
# its images through views that check permissions and audit the read.

handler400 = "core.views.handler400"
handler403 = "core.views.handler403"
handler404 = "core.views.handler404"
handler500 = "core.views.handler500"
