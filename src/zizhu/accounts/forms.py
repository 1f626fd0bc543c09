from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from zizhu.accounts.models import User


class SignUpForm(forms.Form):
    login = forms.CharField(
        label=_("E-mail or mobile number"),
        max_length=254,
        help_text=_("We never show it to other customers."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "inputmode": "email", "autofocus": True}),
    )
    display_name = forms.CharField(
        label=_("Your name (optional)"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        strip=False,
        help_text=_("At least 8 characters, not only digits, not a common password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class SignInForm(AuthenticationForm):
    """Django's form with our wording: one message whether the account exists or not."""

    username = forms.CharField(
        label=_("E-mail or mobile number"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": _("The account or password is not correct."),
        "inactive": _("The account or password is not correct."),
    }


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "language", "elder_mode"]
        widgets = {"display_name": forms.TextInput(attrs={"autocomplete": "name"})}
        help_texts = {"elder_mode": _("Larger text and buttons, simpler pages, read-aloud.")}


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=60, help_text=_("E.g. the program that will use it."))


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=12,
        help_text=_("6 digits"),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "size": 8}
        ),
    )
