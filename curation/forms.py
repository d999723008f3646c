"""Forms for the admin pages: they parse; the services validate the rules and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from curation.models import Banner
from curation.selectors import STORE_FILTERS
from promos.models import Promo
from stores.flags import FEATURE_LABELS, FEATURES


class DaysForm(forms.Form):
    days = forms.IntegerField(min_value=1, max_value=365, required=False)


class StoreFilterForm(forms.Form):
    q = forms.CharField(max_length=100, required=False)
    status = forms.ChoiceField(choices=[("", _("Semua"))] + [(s, s) for s in STORE_FILTERS], required=False)
    page = forms.IntegerField(min_value=1, max_value=100_000, required=False)


class ProductFilterForm(forms.Form):
    q = forms.CharField(max_length=100, required=False)
    featured = forms.BooleanField(required=False)
    page = forms.IntegerField(min_value=1, max_value=100_000, required=False)


class SuspendForm(forms.Form):
    reason = forms.CharField(label=_("Alasan"), max_length=300, required=False)


class BannerForm(forms.ModelForm):
    class Meta:
        model = Banner
        fields = ["title", "subtitle", "image_url", "image", "link", "position", "starts_at", "ends_at", "is_active"]
        help_texts = {
            "image": _("Unggah gambar, atau isi URL gambar di atas."),
            "link": _("URL http(s) atau alamat di situs ini, mis. /cari/?q=kopi"),
            "position": _("Angka kecil tampil lebih dulu."),
            "starts_at": _("WIB. Kosongkan agar langsung tayang."),
            "ends_at": _("WIB. Kosongkan agar tayang tanpa batas."),
        }
        widgets = {
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }

    def cleaned_fields(self) -> dict:
        """What the service takes; an empty file input keeps the stored image."""
        data = {k: v for k, v in self.cleaned_data.items() if k in self.Meta.fields}
        if not data.get("image"):
            data.pop("image", None)
        return data


class FlagsForm(forms.Form):
    """One checkbox per feature; an unchecked box means off."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in FEATURES:
            self.fields[name] = forms.BooleanField(label=FEATURE_LABELS[name], required=False)


class PromoForm(forms.Form):
    code = forms.RegexField(
        regex=r"^[A-Za-z0-9_-]{3,40}$", label=_("Kode"), error_messages={"invalid": _("3-40 huruf, angka, - atau _")}
    )
    type = forms.ChoiceField(label=_("Jenis"), choices=Promo.Type.choices)
    value = forms.IntegerField(label=_("Nilai"), min_value=1, max_value=1_000_000_000)
    min_order = forms.IntegerField(label=_("Minimal belanja (Rp)"), min_value=0, max_value=10_000_000_000, initial=0)
    max_discount = forms.IntegerField(label=_("Potongan maks. (Rp)"), min_value=1, required=False)
    usage_limit = forms.IntegerField(label=_("Kuota total"), min_value=1, required=False)
    per_buyer_limit = forms.IntegerField(label=_("Kuota per pembeli"), min_value=1, required=False)
    starts_at = forms.DateTimeField(label=_("Mulai"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(
        label=_("Berakhir (opsional)"),
        required=False,  # empty: no end, runs until switched off
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
