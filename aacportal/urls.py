"""URL map: the pages, the API, the health page and probe, login and the Django
admin."""

from django.contrib import admin
from django.urls import include, path

from health.views import health, live

urlpatterns = [
    path("", include("pages.urls")),
    path("api/", include("api.urls")),
    path("health/", health, name="health"),
    path("health/live/", live, name="health_live"),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
