"""Receivers of Django's framework signals (connected in AccountsConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from zizhu.accounts import audit


def audit_staff_sign_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Every sign-in of a staff member (pages and API both go through django.contrib.auth.login)."""
    if getattr(user, "is_staff", False):
        audit.record(actor=user, action=audit.STAFF_SIGN_IN, target=user, request=request)


def note_sign_in_time(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """A sign-in counts as a fresh authentication for the re-authentication window."""
    if request is not None and hasattr(request, "session"):
        from zizhu.accounts import devices, mfa

        mfa.mark_authenticated(request)
        devices.record_sign_in(request, user)


def forget_session(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Signing out removes the session from the devices page."""
    if request is not None and hasattr(request, "session"):
        from zizhu.accounts import devices

        devices.forget(request.session.session_key)
