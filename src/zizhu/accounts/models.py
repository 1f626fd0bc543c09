from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zizhu.accounts.logins import normalize_email, parse_login, parse_mainland_mobile
from zizhu.accounts.masking import mask_email, mask_phone
from zizhu.core.crypto import BlindIndexField, EncryptedTextField, with_index_fields


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
        if extra.get("phone"):  # the blind index is of the exact string: store the E.164 form
            extra["phone"] = parse_mainland_mobile(str(extra["phone"])) or extra["phone"]
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
    # Encrypted at rest; look-ups (sign-in, uniqueness) go through the blind index below.
    phone = EncryptedTextField(_("mobile number"), null=True, blank=True, context="user.phone")
    phone_index = BlindIndexField(source="phone", purpose="user.phone", unique=True)
    display_name = models.CharField(_("name"), max_length=60, blank=True)
    language = models.CharField(_("language"), max_length=10, choices=Language.choices, default=Language.CHINESE)
    elder_mode = models.BooleanField(_("elder mode"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff member"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    # Second factor by message: "" (none), "email" or "sms" (see zizhu.accounts.mfa).
    otp_channel = models.CharField(
        _("codes by message"),
        max_length=5,
        blank=True,
        default="",
        choices=[("", _("off")), ("email", _("e-mail")), ("sms", _("text message"))],
    )

    # Chosen by the customer, shown on the second sign-in step, on payment confirmation and in every
    # e-mail we send them, so a look-alike page or e-mail (which cannot know it) stands out.
    anti_phishing_phrase = EncryptedTextField(
        _("anti-phishing phrase"), null=True, blank=True, default=None, context="user.anti_phishing_phrase"
    )

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
        permissions = [
            ("view_pii", _("Can see unmasked personal data (phone, e-mail, address)")),
            ("change_roles", _("Can change the roles of staff members")),
        ]

    def __str__(self) -> str:
        # Shown in many back-office places (lists, links, history): never the full e-mail or phone.
        return self.display_name or (mask_email(self.email) if self.email else mask_phone(self.phone or ""))

    def save(self, *args: Any, **kwargs: Any) -> None:
        kwargs["update_fields"] = with_index_fields(type(self), kwargs.get("update_fields"))
        super().save(*args, **kwargs)

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


class AppendOnlyError(Exception):
    """Audit records are never changed or deleted."""


class AuditQuerySet(models.QuerySet["AuditRecord"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Audit records cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit records cannot be deleted")


class AuditRecord(models.Model):
    """Who did what to which record, when and from where. Append-only (see zizhu.accounts.audit).

    The actor is kept as an id and a label (no database foreign key), so deleting or anonymising
    a person never has to touch the log. On PostgreSQL a trigger refuses UPDATE and DELETE.
    """

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=60, db_index=True)
    target_type = models.CharField(_("target type"), max_length=100, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        ordering = ["-at", "-id"]
        default_permissions = ("view",)  # nobody adds, changes or deletes through the back office
        indexes = [
            models.Index(fields=["actor", "at"], name="audit_actor_at_idx"),
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.target_type}#{self.target_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise AppendOnlyError("Audit records cannot be changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("Audit records cannot be deleted")


class OneTimeCode(models.Model):
    """A short code sent by e-mail or SMS: to confirm a sign-up, or as a second factor.

    Only an HMAC of the code is stored. A code is valid until ``expires_at`` (at most a few
    minutes), works once, and is burnt after ``MAX_GUESSES`` wrong guesses.
    """

    MAX_GUESSES = 5

    class Purpose(models.TextChoices):
        SIGN_UP = "sign_up", _("confirm a sign-up")
        SIGN_IN = "sign_in", _("second sign-in step")
        REAUTH = "reauth", _("confirm it is you")
        CONTACT = "contact", _("confirm a new e-mail address or mobile number")
        RESET = "reset", _("reset the password")

    class Channel(models.TextChoices):
        EMAIL = "email", _("e-mail")
        SMS = "sms", _("text message")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("user")
    )
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    code_hash = models.CharField(max_length=64)
    # Sign-up only: what to create once the code is confirmed (login, password hash, name), encrypted.
    payload = EncryptedTextField(_("payload"), blank=True, default="", context="onetimecode.payload")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    guesses = models.PositiveSmallIntegerField(_("wrong guesses"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        default_permissions = ()
        indexes = [models.Index(fields=["user", "purpose", "created_at"], name="otc_user_purpose_idx")]

    def __str__(self) -> str:
        return f"{self.purpose} {self.channel} {self.created_at:%Y-%m-%d %H:%M}"


class UserSession(models.Model):
    """One signed-in browser session, for the devices page (works with the db and cached_db engines).

    Keyed by a SHA-256 hash of the session key; the key itself is kept encrypted only so that
    "sign out this device" can delete the session from the session store.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", verbose_name=_("user"))
    key_hash = models.CharField(max_length=64, unique=True)
    session_key = EncryptedTextField(_("session key"), context="usersession.key")
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    place = models.CharField(_("approximate place"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("signed in at"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now)

    class Meta:
        verbose_name = _("signed-in device")
        verbose_name_plural = _("signed-in devices")
        default_permissions = ()
        indexes = [models.Index(fields=["user", "last_seen_at"], name="usersession_user_seen_idx")]

    def __str__(self) -> str:
        return f"{self.key_hash[:12]}… {self.last_seen_at:%Y-%m-%d %H:%M}"


class Passkey(models.Model):
    """A WebAuthn credential (passkey): signs in without a password, or serves as a second factor.

    Only the public key is stored. ``user_handle`` is the random account id the authenticator keeps
    with a discoverable credential (never the database id or the login); all of a person's passkeys
    share it. ``sign_count`` is the authenticator's counter: a response that does not raise it (when
    the authenticator counts) is refused as a possible clone.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="passkeys", verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=60)
    credential_id = models.BinaryField(_("credential id"), max_length=1023)
    credential_key = models.CharField(max_length=64, unique=True)  # SHA-256 of the credential id, for look-ups
    public_key = models.BinaryField(_("public key"))
    user_handle = models.BinaryField(_("user handle"), max_length=64)
    sign_count = models.PositiveBigIntegerField(_("sign count"), default=0)
    transports = models.JSONField(_("transports"), default=list, blank=True)
    aaguid = models.CharField(_("authenticator model"), max_length=36, blank=True)
    backed_up = models.BooleanField(_("synced"), default=False)
    created_at = models.DateTimeField(_("added at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("passkey")
        verbose_name_plural = _("passkeys")
        ordering = ["created_at", "id"]
        default_permissions = ()

    def __str__(self) -> str:
        return self.name
