"""Messages to account owners: e-mail through Django's mail, SMS through the pluggable sender.

Every e-mail to a customer ends with their anti-phishing phrase (when they chose one), rendered
by ``accounts/email/_phrase.txt``.
"""

from __future__ import annotations

from typing import Any

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from zizhu.core.sms import get_sms_sender


def send_email(
    *, to: str, template: str, context: dict[str, Any], language: str, user: Any = None, folder: str = "accounts/email"
) -> None:
    """``template`` names ``<folder>/<template>.txt`` and ``<template>_subject.txt`` (other apps, e.g.
    notifications, keep their own folder and include ``accounts/email/_phrase.txt``)."""
    context = {**context, "user": user, "phrase": getattr(user, "anti_phishing_phrase", "") if user else ""}
    with translation.override(language):
        subject = render_to_string(f"{folder}/{template}_subject.txt", context).strip()
        body = render_to_string(f"{folder}/{template}.txt", context)
    send_mail(subject, body, None, [to])


def send_sms(*, to: str, text: str) -> None:
    get_sms_sender().send(phone=to, text=text)


def send_code(*, channel: str, to: str, code: str, language: str, user: Any = None, minutes: int = 5) -> None:
    if channel == "sms":
        with translation.override(language):
            text = _("Zizhu code: %(code)s. Valid for %(minutes)d minutes. Never tell it to anyone.") % {
                "code": code,
                "minutes": minutes,
            }
        send_sms(to=to, text=text)
    else:
        send_email(to=to, template="code", context={"code": code, "minutes": minutes}, language=language, user=user)


def send_sign_up_notice(*, channel: str, to: str, language: str, user: Any) -> None:
    """Someone tried to sign up with a login that already has an account: tell its owner, nothing else."""
    if channel == "sms":
        with translation.override(language):
            text = _(
                "Someone tried to create a Zizhu account with this number. You already have one: "
                "sign in, or reset your password if you forgot it."
            )
        send_sms(to=to, text=text)
    else:
        send_email(to=to, template="signup_exists", context={}, language=language, user=user)


def send_contact_changed_notice(*, kind: str, old: str, masked_new: str, user: Any) -> None:
    """Tell the old address or number that the account's login changed (and how to react)."""
    if kind == "phone":
        with translation.override(user.language):
            text = _(
                "The mobile number of your Zizhu account was changed to %(masked)s. "
                "If you did not do this, reset your password at once and contact us."
            ) % {"masked": masked_new}
        send_sms(to=old, text=text)
    else:
        context = {"kind": kind, "masked": masked_new}
        send_email(to=old, template="contact_changed", context=context, language=user.language, user=user)


def send_contact_taken_notice(*, kind: str, to: str, owner: Any) -> None:
    """Someone tried to move this address or number to another account: tell its owner only."""
    if kind == "phone":
        with translation.override(owner.language):
            text = _(
                "Someone tried to add this number to another Zizhu account. It already belongs to your "
                "account, so nothing was changed."
            )
        send_sms(to=to, text=text)
    else:
        send_email(to=to, template="contact_taken", context={}, language=owner.language, user=owner)


def send_account_deleted_notice(*, email: str | None, phone: str | None, language: str, phrase: str | None) -> None:
    """After a deletion (the account is gone, so the addresses and phrase are passed in)."""
    if email:
        context = {"phrase": phrase or ""}
        with translation.override(language):
            subject = render_to_string("accounts/email/account_deleted_subject.txt", context).strip()
            body = render_to_string("accounts/email/account_deleted.txt", context)
        send_mail(subject, body, None, [email])
    elif phone:
        with translation.override(language):
            text = _("Your Zizhu account was deleted, as you asked. If you did not do this, contact us at once.")
        send_sms(to=phone, text=text)
