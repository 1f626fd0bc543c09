"""Framework hook: Django's ``user_logged_in`` signal moves a guest's favourites and
browsing history (kept by guest key, in the session or the signed cookie) onto the account
that just signed in.

This is not a business flow between apps (DESIGN.md forbids signals for those): it is the
one place Django tells us about a sign-in, and the work is done by a catalogue service.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver


@receiver(user_logged_in, dispatch_uid="zizhu.catalog.merge_guest_activity")
def merge_guest_activity_on_sign_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is None or not getattr(user, "pk", None) or not hasattr(request, "session"):
        return
    from zizhu.catalog.owners import adopt_into_session

    guest_key = adopt_into_session(request)
    if guest_key:
        from zizhu.catalog.services import merge_guest_activity

        merge_guest_activity(session_key=guest_key, user=user)
