from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Users, roles and agencies")

    def ready(self):
        # Every sign-in, failed, locked out or successful, on any path, goes to the audit chain.
        from accounts import signals  # noqa: F401
