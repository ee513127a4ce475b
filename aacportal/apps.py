"""The admin app, with the portal's site as its default (`aacportal.adminsite`)."""

from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    default_site = "aacportal.adminsite.PortalAdminSite"
