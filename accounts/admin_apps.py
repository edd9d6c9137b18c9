"""Django's admin app with BMIS's admin site (accounts.admin_site): kept apart from it because
an app config module is imported before any model can be."""

from django.contrib.admin.apps import AdminConfig


class BMISAdminConfig(AdminConfig):
    default_site = "accounts.admin_site.BMISAdminSite"
