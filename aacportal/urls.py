"""URL map: the portal's pages, the health page, login and the Django admin."""

from django.contrib import admin
from django.urls import include, path

from health.views import health

urlpatterns = [
    path("", include("pages.urls")),
    path("health/", health, name="health"),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
