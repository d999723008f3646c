"""Seller dashboard forms: labels and parsing; rules stay in the services."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Category, Product
from promos.models import Promo
from shipping.models import COURIERS, Area, ShippingSettings
from tokoblitar.validators import validate_web_url


class ProductForm(forms.Form):
    name = forms.CharField(label=_("Nama produk"), max_length=200)
    description = forms.CharField(label=_("Deskripsi"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    price = forms.IntegerField(
        label=_("Harga (Rp)"),
        min_value=0,
        max_value=1_000_000_000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    stock = forms.IntegerField(label=_("Stok"), min_value=0, max_value=1_000_000, initial=0)
    weight_gram = forms.IntegerField(label=_("Berat (gram)"), min_value=1, max_value=100_000)
    category = forms.ModelChoiceField(
        label=_("Kategori"),
        queryset=Category.objects.order_by("position", "name"),
        required=False,
        empty_label=_("— Tanpa kategori —"),
    )
    status = forms.ChoiceField(label=_("Status"), choices=Product.Status.choices, initial=Product.Status.ACTIVE)
    image = forms.FileField(
        label=_("Foto produk"),
        required=False,
        help_text=_("JPEG, PNG atau WebP, maksimal 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def product_data(self) -> dict:
        data = {k: self.cleaned_data[k] for k in ("name", "description", "price", "stock", "weight_gram", "status")}
        category = self.cleaned_data.get("category")
        data["category_id"] = category.pk if category else None
        return data


class ProductEditForm(ProductForm):
    """The edit form remembers what it was loaded with, so a save writes only what the seller
    changed: each field carries its loaded value in a hidden `initial-<name>` input (Django's
    `show_hidden_initial`), and `stock_loaded` holds the stock shown when the page opened, so a
    stock change lands as a delta on what buyers reserved meanwhile (catalog.services)."""

    stock_loaded = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name not in ("image", "stock", "stock_loaded"):
                field.show_hidden_initial = True

    def changed_product_data(self) -> dict:
        """Only the fields the seller changed since the page was loaded (service field names)."""
        data = self.product_data()
        changed = set(self.changed_data)
        if "category" in changed:
            changed.add("category_id")
        if self.cleaned_data.get("stock_loaded") is not None:
            # Changed means "differs from what the page showed", not from the stock right now.
            changed.discard("stock")
            if data["stock"] != self.cleaned_data["stock_loaded"]:
                changed.add("stock")
        return {key: value for key, value in data.items() if key in changed}


class ProductFilterForm(forms.Form):
    q = forms.CharField(label=_("Cari nama"), max_length=100, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Semua status")), *Product.Status.choices], required=False
    )


class OrderFilterForm(forms.Form):
    status = forms.CharField(required=False, max_length=20)


class ShipForm(forms.Form):
    awb = forms.CharField(label=_("Nomor resi"), min_length=4, max_length=60)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Alasan pembatalan"), min_length=3, max_length=200)


_LOCAL_MINUTE = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> shows and sends


def _now_to_minute():
    return timezone.localtime().replace(second=0, microsecond=0)


class PromoForm(forms.Form):
    code = forms.RegexField(
        label=_("Kode"), regex=r"^[A-Za-z0-9_-]{3,40}$", error_messages={"invalid": _("3–40 huruf, angka, - atau _")}
    )
    type = forms.ChoiceField(label=_("Jenis"), choices=Promo.Type.choices)
    value = forms.IntegerField(label=_("Nilai (persen atau rupiah)"), min_value=1)
    min_order = forms.IntegerField(label=_("Minimal belanja (Rp)"), min_value=0, initial=0)
    max_discount = forms.IntegerField(label=_("Diskon maksimal (Rp, opsional)"), min_value=1, required=False)
    usage_limit = forms.IntegerField(label=_("Batas pemakaian total (opsional)"), min_value=1, required=False)
    per_buyer_limit = forms.IntegerField(label=_("Batas per pembeli (opsional)"), min_value=1, required=False)
    starts_at = forms.DateTimeField(
        label=_("Mulai"),
        required=False,  # empty: starts now
        initial=_now_to_minute,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_LOCAL_MINUTE),
    )
    ends_at = forms.DateTimeField(
        label=_("Berakhir (opsional)"),
        required=False,
        help_text=_("Kosongkan agar promo berjalan terus sampai Anda mematikannya."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_LOCAL_MINUTE),
    )


class PromoEditForm(PromoForm):
    """Edit one promo, writing only what the seller changed (like ProductEditForm): each field
    carries its loaded value in a hidden `initial-<name>` input. Initial datetimes are cut to
    the minute, as the datetime-local input shows them, so an untouched date is not a change."""

    is_active = forms.BooleanField(label=_("Aktif (bisa dipakai pembeli)"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["starts_at"].required = True
        for field in self.fields.values():
            field.show_hidden_initial = True

    @staticmethod
    def initial_for(promo: Promo) -> dict:
        """The form's initial values from a promo (datetimes in the current zone, to the minute)."""

        def minute(value):
            return timezone.localtime(value).replace(second=0, microsecond=0) if value else None

        return {
            "code": promo.code,
            "type": promo.type,
            "value": promo.value,
            "min_order": promo.min_order,
            "max_discount": promo.max_discount,
            "usage_limit": promo.usage_limit,
            "per_buyer_limit": promo.per_buyer_limit,
            "starts_at": minute(promo.starts_at),
            "ends_at": minute(promo.ends_at),
            "is_active": promo.is_active,
        }

    def changed_promo_data(self) -> dict:
        """Only the fields the seller changed since the page was loaded (service field names)."""
        return {key: self.cleaned_data[key] for key in self.changed_data}


_IMAGE_ACCEPT = "image/jpeg,image/png,image/webp"


class StoreForm(forms.Form):
    """Store settings. `logo`/`banner` are uploads (checked in stores.services like product
    photos); `lat`/`lng` are filled by the map or "use my location" and stay typeable."""

    UPLOADS = ("logo", "banner")

    name = forms.CharField(label=_("Nama toko"), max_length=120)
    slug = forms.CharField(
        label=_("Alamat toko"),
        max_length=63,
        required=False,  # empty keeps the current address
        help_text=_(
            "Huruf kecil, angka dan tanda hubung. Bisa diganti sekali dalam 30 hari; "
            "alamat lama tetap diarahkan ke alamat baru."
        ),
        widget=forms.TextInput(attrs={"autocapitalize": "none", "autocomplete": "off", "spellcheck": "false"}),
    )
    description = forms.CharField(label=_("Deskripsi"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("JPEG, PNG atau WebP, maksimal 10 MB. Persegi terlihat paling baik."),
        widget=forms.FileInput(attrs={"accept": _IMAGE_ACCEPT}),
    )
    banner = forms.FileField(
        label=_("Banner"),
        required=False,
        help_text=_("JPEG, PNG atau WebP, maksimal 10 MB. Lebar, misalnya 1600 × 500."),
        widget=forms.FileInput(attrs={"accept": _IMAGE_ACCEPT}),
    )
    logo_url = forms.URLField(
        label=_("URL logo"), required=False, max_length=500, assume_scheme="https", validators=[validate_web_url]
    )
    banner_url = forms.URLField(
        label=_("URL banner"), required=False, max_length=500, assume_scheme="https", validators=[validate_web_url]
    )
    address = forms.CharField(label=_("Alamat"), required=False, max_length=300)
    lat = forms.DecimalField(
        label=_("Garis lintang"),
        required=False,
        min_value=-90,
        max_value=90,
        decimal_places=6,
        localize=False,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    lng = forms.DecimalField(
        label=_("Garis bujur"),
        required=False,
        min_value=-180,
        max_value=180,
        decimal_places=6,
        localize=False,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    google_maps_url = forms.URLField(
        label=_("Tautan Google Maps"),
        required=False,
        max_length=500,
        assume_scheme="https",
        validators=[validate_web_url],
    )
    instagram_handle = forms.RegexField(
        label=_("Instagram (tanpa @)"), regex=r"^[A-Za-z0-9._]{1,30}$", required=False, max_length=30
    )

    def store_data(self) -> dict:
        """The service's fields (uploads apart); empty text is "", empty coordinates None."""
        return {
            k: ("" if v is None and k not in ("lat", "lng") else v)
            for k, v in self.cleaned_data.items()
            if k not in self.UPLOADS and not (k == "slug" and not v)
        }


def _area_choices() -> list:
    """Districts grouped by city (`<optgroup>`), Blitar first: a seller picks, never types a code."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for area in Area.objects.order_by("province", "city", "name").only("id", "name", "city", "province"):
        groups.setdefault(f"{area.city}, {area.province}", []).append((area.pk, area.name))
    ordered = sorted(groups.items(), key=lambda item: ("blitar" not in item[0].lower(), item[0]))
    return [("", _("— Pilih kecamatan —")), *ordered]


class ShippingForm(forms.Form):
    origin_area_id = forms.TypedChoiceField(
        label=_("Kecamatan asal pengiriman"),
        coerce=int,
        choices=_area_choices,
        help_text=_("Tempat paket dijemput kurir; ongkir dihitung dari sini."),
    )
    couriers = forms.MultipleChoiceField(
        label=_("Kurir yang dipakai"), choices=list(COURIERS.items()), widget=forms.CheckboxSelectMultiple
    )
    pickup_name = forms.CharField(label=_("Nama untuk penjemputan"), required=False, max_length=100)
    pickup_phone = forms.CharField(label=_("HP untuk penjemputan"), required=False, max_length=20)
    pickup_address = forms.CharField(label=_("Alamat penjemputan"), required=False, max_length=300)
    pickup_schedule = forms.ChoiceField(label=_("Jadwal jemput"), choices=ShippingSettings.Schedule.choices)
