from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "zizhu.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # This app's part of "download my data" (zizhu.accounts.privacy).
        from zizhu.notifications import privacy

        privacy.register()
