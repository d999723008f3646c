"""Forms of the notification pages: email preferences and a store's alert thresholds."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from notifications.models import SELLER_KINDS, Kind, NotificationPreference, StoreAlertSettings


class PreferenceForm(forms.Form):
    """Email language plus one checkbox per kind the user can receive (sellers see seller kinds too)."""

    language = forms.ChoiceField(label=_("Bahasa email"), choices=settings.LANGUAGES)
    # Opt-in (off by default): order notices also on WhatsApp from the store's number.
    whatsapp = forms.BooleanField(
        label=_("Kirim juga kabar pesanan saya (dibayar, dikirim, sampai, kedaluwarsa) lewat WhatsApp dari toko"),
        required=False,
    )

    def __init__(self, *args: Any, pref: NotificationPreference, is_seller: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = pref.language
        self.fields["whatsapp"].initial = pref.whatsapp
        self.kinds = [k for k in Kind if is_seller or k not in SELLER_KINDS]
        for kind in self.kinds:
            self.fields[f"email_{kind.value}"] = forms.BooleanField(
                label=kind.label, required=False, initial=pref.wants_email(kind.value)
            )

    def email_choices(self) -> dict[str, bool]:
        return {kind.value: bool(self.cleaned_data.get(f"email_{kind.value}")) for kind in self.kinds}


class AlertSettingsForm(forms.ModelForm):
    class Meta:
        model = StoreAlertSettings
        fields = ["low_stock_threshold", "ship_within_hours"]
        labels = {
            "low_stock_threshold": _("Batas stok menipis (buah)"),
            "ship_within_hours": _("Kirim paling lambat (jam setelah dibayar)"),
        }
