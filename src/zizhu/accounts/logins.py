"""Parsing what a customer types as their login: an e-mail address or a mainland mobile number."""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from zizhu.accounts.masking import mask_phone

__all__ = ["Login", "mask_phone", "normalize_email", "parse_login", "parse_mainland_mobile"]

MOBILE_TYPES = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}


@dataclass(frozen=True)
class Login:
    kind: str  # "email" or "phone"
    value: str  # normalised: lower-case e-mail, or E.164 phone (+8613812345678)


def normalize_email(raw: str) -> str:
    return raw.strip().lower()


def parse_mainland_mobile(raw: str) -> str | None:
    """E.164 form of a mainland China mobile number, or None when it is not one."""
    text = raw.strip().replace(" ", "").replace("-", "")
    if not text or len(text) > 20:
        return None
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 86 or not phonenumbers.is_valid_number(number):
        return None
    if phonenumbers.number_type(number) not in MOBILE_TYPES:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_login(raw: str) -> Login:
    """Raise ValidationError unless ``raw`` is an e-mail address or a mainland mobile number."""
    text = (raw or "").strip()
    if "@" in text:
        try:
            validate_email(text)
        except ValidationError:
            raise ValidationError(_("Enter a valid e-mail address."), code="invalid_email") from None
        return Login("email", normalize_email(text))
    phone = parse_mainland_mobile(text)
    if phone is None:
        raise ValidationError(
            _("Enter an e-mail address or a mainland China mobile number (11 digits, starting with 1)."),
            code="invalid_login",
        )
    return Login("phone", phone)
