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


METHOD_LABELS = {
    "totp": _("Code from my authenticator app"),
    "message": _("Code sent to me by e-mail or text message"),
    "backup": _("A backup code"),
}


class SecondFactorForm(forms.Form):
    method = forms.ChoiceField(label=_("How do you want to confirm?"), widget=forms.RadioSelect)
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("6 digits, or a backup code like abcde-23456"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def __init__(self, *args: object, methods: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["method"].choices = [(m, METHOD_LABELS[m]) for m in methods]
        if methods and not self.initial.get("method"):
            self.initial["method"] = methods[0]
        if len(methods) <= 1:
            self.fields["method"].widget = forms.HiddenInput()
            self.fields["method"].initial = methods[0] if methods else ""


class ReauthForm(SecondFactorForm):
    """The password, or (when the person has one) a second-factor code."""

    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    field_order = ["password", "method", "code"]

    def __init__(self, *args: object, methods: list[str], **kwargs: object) -> None:
        super().__init__(*args, methods=methods or ["totp"], **kwargs)
        self.fields["code"].required = False
        self.fields["code"].widget.attrs.pop("autofocus", None)
        self.fields["method"].required = False
        if not methods:
            del self.fields["code"]
            del self.fields["method"]


class MessageFactorForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Codes by message at sign-in"),
        choices=[("", _("Off")), ("email", _("By e-mail")), ("sms", _("By text message"))],
        required=False,
        widget=forms.RadioSelect,
    )


class PhraseForm(forms.Form):
    phrase = forms.CharField(
        label=_("Your anti-phishing phrase"),
        max_length=40,
        required=False,
        help_text=_("2 to 40 characters only you would choose, like a line from a song. Leave empty to stop."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class NewEmailForm(forms.Form):
    value = forms.CharField(
        label=_("New e-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class NewPhoneForm(forms.Form):
    value = forms.CharField(
        label=_("New mobile number"),
        max_length=20,
        help_text=_("A mainland China mobile number, e.g. 138 0013 8000."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "autofocus": True}),
    )


class SmsResetForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "autofocus": True}),
    )


class SmsResetConfirmForm(CodeForm):
    new_password1 = forms.CharField(
        label=_("New password"),
        max_length=128,
        strip=False,
        help_text=_("At least 8 characters, not only digits, not a common password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("New password again"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("new_password1") and data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", _("The two passwords are not the same."))
        return data


class DeleteAccountForm(forms.Form):
    confirm = forms.CharField(
        label=_("Type the word shown above to confirm"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
