from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckoutConfig(AppConfig):
    name = "zizhu.checkout"
    label = "checkout"
    verbose_name = _("Checkout")

    def ready(self) -> None:
        # This app's part of "download my data" / "delete my account" (zizhu.accounts.privacy).
        from zizhu.checkout import privacy

        privacy.register()
