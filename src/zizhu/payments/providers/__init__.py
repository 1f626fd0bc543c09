"""Payment providers. ``get_provider(name)`` returns the adapter named in settings.PAYMENTS_PROVIDERS."""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from zizhu.payments.providers.base import PaymentProvider

DEFAULT_PROVIDERS = {"sandbox": "zizhu.payments.providers.sandbox.SandboxProvider"}


def get_provider(name: str = "sandbox") -> PaymentProvider:
    providers = getattr(settings, "PAYMENTS_PROVIDERS", DEFAULT_PROVIDERS)
    if name not in providers:
        raise LookupError(f"Unknown payment provider {name!r}")
    return import_string(providers[name])()
