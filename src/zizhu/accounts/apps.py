from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "zizhu.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out
        from django.core import checks
        from django.db.models.signals import post_migrate

        from zizhu.accounts import privacy, roles, signals  # noqa: F401  (privacy registers its own sections)
        from zizhu.core.crypto import check_settings

        # Framework hooks, not business flows: role groups follow migrations, staff sign-ins are audited.
        post_migrate.connect(roles.sync_roles_after_migrate, dispatch_uid="zizhu.accounts.sync_roles")
        user_logged_in.connect(signals.audit_staff_sign_in, dispatch_uid="zizhu.accounts.audit_staff_sign_in")
        user_logged_out.connect(signals.forget_session, dispatch_uid="zizhu.accounts.forget_session")
        user_logged_in.connect(signals.note_sign_in_time, dispatch_uid="zizhu.accounts.note_sign_in_time")
        checks.register(check_settings, checks.Tags.security)
