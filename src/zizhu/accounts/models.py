from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zizhu.accounts.logins import mask_phone, normalize_email, parse_login


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> User:
        """Sign-in look-up by e-mail or mobile number (whichever the customer typed)."""
        try:
            login = parse_login(username or "")
        except ValidationError:
            raise self.model.DoesNotExist from None
        return self.get(**{login.kind: login.value})

    def create_user(self, email: str | None = None, password: str | None = None, **extra: object) -> User:
        if not email and not extra.get("phone"):
            raise ValueError("A user needs an e-mail address or a phone number")
        user = self.model(email=normalize_email(email) if email else None, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str | None = None, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A customer or a staff member. Signs in with an e-mail address or a mainland mobile number."""

    class Language(models.TextChoices):
        CHINESE = "zh-hans", "简体中文"
        ENGLISH = "en", "English"

    email = models.EmailField(_("e-mail address"), unique=True, null=True, blank=True)
    phone = models.CharField(_("mobile number"), max_length=20, unique=True, null=True, blank=True)
    display_name = models.CharField(_("name"), max_length=60, blank=True)
    language = models.CharField(_("language"), max_length=10, choices=Language.choices, default=Language.CHINESE)
    elder_mode = models.BooleanField(_("elder mode"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff member"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(email__isnull=False) | Q(phone__isnull=False), name="user_has_email_or_phone"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.email or mask_phone(self.phone or "")

    @property
    def login_display(self) -> str:
        """How the account is shown to its owner: the e-mail, or the masked phone."""
        return self.email or mask_phone(self.phone or "")


class ApiToken(models.Model):
    """A bearer token for programs. Only a SHA-256 hash of the secret is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=60)
    prefix = models.CharField(_("prefix"), max_length=12, help_text=_("First characters, to recognise the token."))
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
