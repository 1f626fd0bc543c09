from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CartConfig(AppConfig):
    name = "zizhu.cart"
    label = "cart"
    verbose_name = _("Carts")

    def ready(self) -> None:
        # This app's part of "download my data" / "delete my account" (zizhu.accounts.privacy).
        from zizhu.cart import privacy

        privacy.register()
        # A guest's cart moves into the account at sign-in (zizhu.cart.signals).
        from zizhu.cart import signals  # noqa: F401
