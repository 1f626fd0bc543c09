from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "zizhu.orders"
    label = "orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        # This app's part of "download my data" / "delete my account" (zizhu.accounts.privacy).
        from zizhu.orders import privacy

        privacy.register()
