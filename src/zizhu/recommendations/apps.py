from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecommendationsConfig(AppConfig):
    name = "zizhu.recommendations"
    label = "recommendations"
    verbose_name = _("Recommendations")

    def ready(self) -> None:
        # This app's part of "download my data" / "delete my account" (zizhu.accounts.privacy).
        from zizhu.recommendations import privacy

        privacy.register()
