from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "zizhu.orders"
    label = "orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        # This app's part of "download my data" / "delete my account" (zizhu.accounts.privacy).
        from zizhu.orders import privacy, selectors
        from zizhu.payments import references

        privacy.register()
        # A new payment for an order ("try again") only while the order waits for one.
        references.register(selectors.payment_refusal)
