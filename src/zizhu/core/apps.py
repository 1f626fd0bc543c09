from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "zizhu.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Event handlers live in each app's events.py; importing them registers them.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("events")
