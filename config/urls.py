from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from apps.accounts import health

api_v1 = [
    path("", include("apps.accounts.api_urls")),
    path("", include("apps.creators.api_urls")),
    path("", include("apps.campaigns.api_urls")),
    path("", include("apps.contracts.api_urls")),
    path("", include("apps.reporting.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI's page carries an inline <style>; its script is served as a file.
    path(
        "docs/",
        csp_update({"style-src": [UNSAFE_INLINE]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema")
        ),
        name="api-docs",
    ),
]

urlpatterns = [
    path("", include("apps.accounts.urls")),
    path("", include("apps.creators.urls")),
    path("", include("apps.campaigns.urls")),
    path("", include("apps.contracts.urls")),
    path("", include("apps.contracts.public_urls")),
    path("", include("apps.reporting.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("api/v1/", include(api_v1)),
    path("admin/", admin.site.urls),
]
