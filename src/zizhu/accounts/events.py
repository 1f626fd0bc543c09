"""Reactions to account events."""

from __future__ import annotations

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from zizhu.accounts.models import User
from zizhu.core import events
from zizhu.core.models import OutboxEvent


@events.handler("account.created")
def send_welcome_email(event: OutboxEvent) -> None:
    """Welcome new customers who signed up with an e-mail address, in their language."""
    user = User.objects.filter(pk=event.payload.get("user_id")).first()
    if user is None or not user.email:
        return
    with translation.override(user.language):
        subject = render_to_string("accounts/email/welcome_subject.txt", {"user": user}).strip()
        body = render_to_string("accounts/email/welcome.txt", {"user": user})
    send_mail(subject, body, None, [user.email])
