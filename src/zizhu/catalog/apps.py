from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "zizhu.catalog"
    label = "catalog"
    verbose_name = _("Catalogue")

    def ready(self) -> None:
        # Guest favourites and history move to the account at sign-in (see zizhu.catalog.signals).
        from zizhu.catalog import signals  # noqa: F401
