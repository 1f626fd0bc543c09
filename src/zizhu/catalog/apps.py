from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "zizhu.catalog"
    label = "catalog"
    verbose_name = _("Catalogue")

    def ready(self) -> None:
        # This app's part of "download my data" / "delete my account" (zizhu.accounts.privacy).
        from zizhu.catalog import privacy

        privacy.register()
        # Guest favourites and history move to the account at sign-in (zizhu.catalog.signals);
        # behaviour events are written after the response (zizhu.catalog.behaviour).
        from zizhu.catalog import behaviour, signals  # noqa: F401
