"""The checkout form: contact, address and delivery on one page (at most 8 fields for a guest)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zizhu.cart.delivery import OPTIONS
from zizhu.checkout import regions
from zizhu.checkout.services import Address, Contact, check_details
from zizhu.core.errors import InvalidInput

NEW = "new"


class CheckoutForm(forms.Form):
    saved = forms.ChoiceField(label=_("Deliver to"), required=False, widget=forms.RadioSelect)
    name = forms.CharField(label=_("Recipient’s name"), max_length=60, required=False)
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        required=False,
        help_text=_("For the courier, e.g. 138 0013 8000"),
    )
    email = forms.CharField(
        label=_("E-mail (for the receipt)"), max_length=254, required=False, widget=forms.EmailInput()
    )
    province = forms.ChoiceField(label=_("Province"), required=False)
    city = forms.CharField(label=_("City"), max_length=30, required=False)
    district = forms.CharField(label=_("District (optional)"), max_length=30, required=False)
    line = forms.CharField(
        label=_("Street address"),
        max_length=200,
        required=False,
        help_text=_("Street, building, flat. You may paste a whole address here and let us fill in the rest."),
    )
    delivery = forms.ChoiceField(label=_("Delivery"), widget=forms.RadioSelect, required=False)

    def __init__(self, *args: Any, guest: bool, saved_addresses: Any = (), delivery_choices: Any = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.guest = guest
        self.saved_addresses = {str(a.pk): a for a in saved_addresses}
        self.fields["province"].choices = [("", _("Choose…"))] + [(p, p) for p in regions.province_names()]
        # Typed with suggestions (a datalist the picker refreshes by HTMX): works without JavaScript,
        # and the server checks the city belongs to the province, the district to the city.
        self.fields["city"].widget.attrs["list"] = "city-options"
        self.fields["district"].widget.attrs["list"] = "district-options"
        self.fields["delivery"].choices = list(delivery_choices) or [(o.code, o.label) for o in OPTIONS.values()]
        autocomplete = {
            "name": "name",
            "phone": "tel-national",
            "email": "email",
            "province": "address-level1",
            "city": "address-level2",
            "district": "address-level3",
            "line": "address-line1",
        }
        for field, token in autocomplete.items():
            self.fields[field].widget.attrs["autocomplete"] = token
        self.fields["phone"].widget.attrs["inputmode"] = "tel"
        if guest:
            del self.fields["saved"]
        else:
            del self.fields["email"]
            if self.saved_addresses:
                self.fields["saved"].choices = [(pk, str(a)) for pk, a in self.saved_addresses.items()] + [
                    (NEW, _("A new address"))
                ]
            else:
                del self.fields["saved"]
        for name in ("name", "phone", "email", "province", "city", "line", "delivery"):
            if name in self.fields:
                self.fields[name].widget.attrs["aria-required"] = "true"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        saved = self.saved_addresses.get(data.get("saved") or "")
        if saved is not None:
            contact = Contact(saved.name, saved.phone)
            address = Address(saved.province, saved.city, saved.district, saved.line)
        else:
            contact = Contact(data.get("name", ""), data.get("phone", ""), data.get("email", "") or "")
            address = Address(
                data.get("province", ""), data.get("city", ""), data.get("district", ""), data.get("line", "")
            )
        try:
            contact, address, delivery = check_details(
                contact=contact, address=address, delivery=data.get("delivery"), guest=self.guest
            )
        except InvalidInput as exc:
            for field, messages in exc.fields.items():
                target = field if field in self.fields and (saved is None or field == "delivery") else None
                if target is not None and target in self.errors:
                    continue  # the field's own check already said what is wrong; one message is clearer
                for message in messages:
                    self.add_error(target, message)
            return data
        data["details"] = {
            "contact": {"name": contact.name, "phone": contact.phone, "email": contact.email},
            "address": {
                "province": address.province,
                "city": address.city,
                "district": address.district,
                "line": address.line,
            },
            "delivery": delivery,
        }
        return data
