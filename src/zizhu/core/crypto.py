"""Encryption of personal data at rest (AES-256-GCM with key ids) and HMAC blind indexes.

Keys come from ``settings.FIELD_ENCRYPTION_KEYS``: ``"keyid:base64key,keyid:base64key"``,
newest first. New values are always encrypted with the newest key; a stored value names
the key it was encrypted with, so every listed key can still decrypt. ``manage.py
rotate_keys`` re-encrypts everything under the newest key, after which old keys can go.

A stored value (a *token*) is text: ``v1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>``.
The header and a per-field *context* (e.g. ``user.phone``) are authenticated as associated
data, so a token cannot be moved to another column or have its key id swapped unnoticed.

Equality look-ups and uniqueness use a *blind index*: HMAC-SHA256 of the (normalised)
plaintext under a key derived per purpose (HKDF) from ``settings.BLIND_INDEX_KEY`` — a
secret that does **not** rotate with the encryption keys, so rotation never changes an
index. When it is not set the index key is derived from ``SECRET_KEY`` (changing either
then needs ``manage.py rotate_keys --reindex``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models
from django.db.models import Lookup
from django.db.models.expressions import Col

TOKEN_VERSION = "v1"  # noqa: S105 - a format label, not a secret
NONCE_BYTES = 12
KEY_BYTES = 32  # AES-256
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class DecryptionError(Exception):
    """A stored value cannot be decrypted: unknown key id, wrong context or tampered bytes."""


@dataclass(frozen=True)
class Keyring:
    keys: dict[str, bytes]  # key id → 32-byte key, in the order given
    newest: str

    def key(self, key_id: str) -> bytes:
        try:
            return self.keys[key_id]
        except KeyError:
            raise DecryptionError(
                f"Unknown encryption key id {key_id!r}; is it still in FIELD_ENCRYPTION_KEYS?"
            ) from None


def parse_keys(raw: str) -> Keyring:
    """Parse ``"keyid:base64key,..."`` (newest first); every key must be 32 bytes."""
    keys: dict[str, bytes] = {}
    for item in (raw or "").split(","):
        item = item.strip()
        if not item:
            continue
        key_id, sep, encoded = item.partition(":")
        key_id = key_id.strip()
        if not sep or not _KEY_ID.match(key_id):
            raise ImproperlyConfigured(
                "FIELD_ENCRYPTION_KEYS entries look like 'keyid:base64key' (key id: letters, digits, _ or -)"
            )
        if key_id in keys:
            raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEYS lists the key id {key_id!r} twice")
        try:
            key = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEYS: key {key_id!r} is not valid base64") from None
        if len(key) != KEY_BYTES:
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS: key {key_id!r} is {len(key)} bytes; AES-256 needs exactly {KEY_BYTES}"
            )
        keys[key_id] = key
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must list at least one key")
    return Keyring(keys=keys, newest=next(iter(keys)))


@lru_cache(maxsize=8)
def _keyring_for(raw: str) -> Keyring:
    return parse_keys(raw)


def keyring() -> Keyring:
    """The configured keys (parsed once per distinct setting value)."""
    return _keyring_for(getattr(settings, "FIELD_ENCRYPTION_KEYS", "") or "")


def generate_key() -> str:
    """A new random key in the settings' base64 form."""
    return base64.b64encode(os.urandom(KEY_BYTES)).decode("ascii")


def _aad(key_id: str, context: str) -> bytes:
    return f"{TOKEN_VERSION}:{key_id}:{context}".encode()


def encrypt(plaintext: str, *, context: str = "", key_id: str | None = None) -> str:
    """Encrypt text under the newest key (or ``key_id``); returns a self-describing token."""
    ring = keyring()
    key_id = key_id or ring.newest
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(ring.key(key_id)).encrypt(nonce, plaintext.encode("utf-8"), _aad(key_id, context))
    body = base64.urlsafe_b64encode(nonce + sealed).decode("ascii").rstrip("=")
    return f"{TOKEN_VERSION}:{key_id}:{body}"


def token_key_id(token: str) -> str:
    """The key id a token names (without decrypting it)."""
    _version, key_id, _body = _split(token)
    return key_id


def _split(token: str) -> tuple[str, str, str]:
    parts = token.split(":", 2) if isinstance(token, str) else []
    if len(parts) != 3 or parts[0] != TOKEN_VERSION or not _KEY_ID.match(parts[1]):
        raise DecryptionError("Not an encrypted value (expected 'v1:<key id>:<data>')")
    return parts[0], parts[1], parts[2]


def decrypt(token: str, *, context: str = "") -> str:
    """Decrypt a token with the key it names; DecryptionError when it was altered."""
    _version, key_id, body = _split(token)
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        raise DecryptionError("The encrypted value is not valid base64") from None
    if len(raw) < NONCE_BYTES + 16:
        raise DecryptionError("The encrypted value is too short")
    try:
        plain = AESGCM(keyring().key(key_id)).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _aad(key_id, context))
    except InvalidTag:
        raise DecryptionError("The encrypted value was altered or belongs to another field") from None
    return plain.decode("utf-8")


def is_token(value: object) -> bool:
    try:
        _split(value)  # type: ignore[arg-type]
    except DecryptionError:
        return False
    return True


# --- blind index ---------------------------------------------------------------------------------


def _index_secret() -> bytes:
    configured = getattr(settings, "BLIND_INDEX_KEY", None)
    if configured:
        try:
            secret = base64.b64decode(configured, validate=True)
        except (binascii.Error, ValueError):
            raise ImproperlyConfigured("BLIND_INDEX_KEY must be base64") from None
        if len(secret) < KEY_BYTES:
            raise ImproperlyConfigured(f"BLIND_INDEX_KEY must be at least {KEY_BYTES} bytes")
        return secret
    return hashlib.sha256(b"zizhu blind index fallback|" + settings.SECRET_KEY.encode()).digest()


@lru_cache(maxsize=64)
def _index_key(secret: bytes, purpose: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"zizhu-blind-index-v1", info=purpose.encode())
    return hkdf.derive(secret)


def blind_index(value: str, *, purpose: str) -> str:
    """HMAC-SHA256 (hex) of ``value`` under the key for ``purpose``: equal values, equal index."""
    key = _index_key(_index_secret(), purpose)
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


# --- model fields ---------------------------------------------------------------------------------


class EncryptedTextField(models.TextField):
    """Text stored encrypted; reads decrypt with the key the value names.

    Only ``isnull``, ``exact`` (through the model's :class:`BlindIndexField` for this field, if
    any) and ``key_id`` (values encrypted with a given key, for rotation) can be queried: any
    other look-up on ciphertext would silently find nothing, so it is refused.
    """

    description = "Text encrypted with AES-256-GCM"

    def __init__(self, *args: Any, context: str | None = None, **kwargs: Any) -> None:
        self.explicit_context = context
        super().__init__(*args, **kwargs)

    def contribute_to_class(self, cls: type[models.Model], name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only=private_only)
        self.context = self.explicit_context or f"{cls._meta.app_label}.{cls._meta.model_name}.{name}"

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.explicit_context:
            kwargs["context"] = self.explicit_context
        return name, path, args, kwargs

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None:
            return None
        return decrypt(value, context=self.context)

    def get_db_prep_save(self, value: Any, connection: Any) -> Any:
        value = self.get_prep_value(value)
        if value is None:
            return None
        if isinstance(value, EncryptedValue):  # already a token (rotation writes these)
            return str(value)
        return encrypt(str(value), context=self.context)

    def index_field(self) -> BlindIndexField | None:
        for field in self.model._meta.concrete_fields:
            if isinstance(field, BlindIndexField) and field.source == self.name:
                return field
        return None

    def get_lookup(self, lookup_name: str) -> Any:
        allowed = {"exact": EncryptedExact, "isnull": super().get_lookup("isnull"), "key_id": EncryptedWithKey}
        if lookup_name not in allowed:
            raise FieldError(
                f"{self.model.__name__}.{self.name} is encrypted: only exact (via a blind index), isnull "
                "and key_id look-ups are possible"
            )
        return allowed[lookup_name]

    def get_transform(self, lookup_name: str) -> Any:
        return None


class EncryptedValue(str):
    """A token to store as is (already encrypted), e.g. by key rotation."""


class BlindIndexField(models.CharField):
    """HMAC blind index of another (encrypted) field of the same model, kept in step on save.

    Declare it after its source: ``phone_index = BlindIndexField(source="phone", purpose="user.phone")``.
    ``unique=True`` gives uniqueness of the plaintext. Queryset ``update()`` bypasses ``save()``: set
    both fields there (``update(phone=p, phone_index=blind_index(p, purpose=...))``).
    """

    def __init__(self, *args: Any, source: str, purpose: str, **kwargs: Any) -> None:
        self.source = source
        self.purpose = purpose
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs["purpose"] = self.purpose
        for key, default in (("max_length", 64), ("editable", False), ("null", True), ("blank", True)):
            if kwargs.get(key, default) == default:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def compute(self, value: Any) -> str | None:
        if value is None or value == "":
            return None
        return blind_index(str(value), purpose=self.purpose)

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = self.compute(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


class EncryptedExact(Lookup):
    """``encrypted_field=value`` compiled as ``<blind index column> = HMAC(value)``."""

    lookup_name = "exact"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        field = self.lhs.output_field
        index = field.index_field()
        if index is None or not isinstance(self.lhs, Col):
            raise FieldError(f"{field.model.__name__}.{field.name} is encrypted and has no blind index to look up by")
        if hasattr(self.rhs, "resolve_expression"):
            raise FieldError("An encrypted field can only be compared with a plain value")
        column_sql, column_params = compiler.compile(Col(self.lhs.alias, index))
        return f"{column_sql} = %s", [*column_params, index.compute(self.rhs)]


class EncryptedWithKey(Lookup):
    """``field__key_id="k2"``: values encrypted with key k2 (by the token's header)."""

    lookup_name = "key_id"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        if not _KEY_ID.match(str(self.rhs)):
            raise FieldError("key_id must be a key id")
        column_sql, column_params = compiler.compile(self.lhs)
        return f"{column_sql} LIKE %s", [*column_params, f"{TOKEN_VERSION}:{self.rhs}:%"]


def encrypted_fields(model: type[models.Model]) -> list[EncryptedTextField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]


def with_index_fields(model: type[models.Model], update_fields: Any) -> Any:
    """``update_fields`` plus the blind indexes of any encrypted field named in it (for ``save``)."""
    if update_fields is None:
        return None
    names = set(update_fields)
    for field in model._meta.concrete_fields:
        if isinstance(field, BlindIndexField) and field.source in names:
            names.add(field.name)
    return names


# --- local TLS certificate (manage.py run --https) -------------------------------------------------


def ensure_local_certificate(directory: Any, *, days: int = 365) -> tuple[Any, Any]:
    """A self-signed certificate for localhost / 127.0.0.1 / ::1 under ``directory`` (made once,
    renewed when it expires within a day). Returns (certificate path, private key path)."""
    import datetime
    import ipaddress
    from pathlib import Path

    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    folder = Path(directory)
    cert_path, key_path = folder / "localhost.crt", folder / "localhost.key"
    now = datetime.datetime.now(datetime.UTC)
    if cert_path.exists() and key_path.exists():
        existing = x509.load_pem_x509_certificate(cert_path.read_bytes())
        if existing.not_valid_after_utc > now + datetime.timedelta(days=1):
            return cert_path, key_path
    folder.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Zizhu local development")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    x509.IPAddress(ipaddress.ip_address("::1")),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_bytes = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key_bytes)
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


def check_settings(**kwargs: Any) -> list[Any]:
    """System check (registered by the accounts app): bad keys stop start-up, not the first sign-up."""
    from django.core import checks

    errors = []
    try:
        parse_keys(getattr(settings, "FIELD_ENCRYPTION_KEYS", "") or "")
    except ImproperlyConfigured as exc:
        errors.append(checks.Error(str(exc), id="zizhu.E001"))
    try:
        _index_secret()
    except ImproperlyConfigured as exc:
        errors.append(checks.Error(str(exc), id="zizhu.E002"))
    return errors
