from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class SettingsForm(forms.Form):
    digests = forms.BooleanField(
        label=_("Send me a short weekly digest of new picks (in my inbox)"),
        required=False,
        help_text=_("At most one a week, at the time you usually visit."),
    )
    digest_email = forms.BooleanField(
        label=_("Also send the digest by e-mail"),
        required=False,
        help_text=_("Only while the digest is on. Our e-mails show your anti-phishing phrase."),
    )
