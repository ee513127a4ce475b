"""URL map: the pages, the API, the health page and probe, metrics, login and the
Django admin."""

from django.contrib import admin
from django.urls import include, path

from health.views import health, live
from pages.views.metrics import metrics

urlpatterns = [
    path("", include("pages.urls")),
    path("api/", include("api.urls")),
    path("health/", health, name="health"),
    path("health/live/", live, name="health_live"),
    path("metrics", metrics, name="metrics"),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
