"""Page forms: they parse and label input; the services decide the rules."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from catalog.search import Sort
from shipping.models import Area
from tokoblitar.phones import PhoneFormField


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )
    password = forms.CharField(
        label=_("Kata sandi"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    error_messages = {
        "invalid_login": _("Email atau kata sandi salah."),
        "inactive": _("Akun ini tidak aktif."),
    }


class RegisterForm(forms.Form):
    ROLE_CHOICES = [("buyer", _("Pembeli: saya mau belanja")), ("seller", _("Penjual: saya mau buka toko"))]

    full_name = forms.CharField(
        label=_("Nama lengkap"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = PhoneFormField(label=_("Nomor HP (opsional)"), required=False)
    password = forms.CharField(
        label=_("Kata sandi"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Minimal 8 karakter, jangan hanya angka."),
    )
    role = forms.ChoiceField(
        label=_("Saya mendaftar sebagai"), choices=ROLE_CHOICES, initial="buyer", widget=forms.RadioSelect
    )


class SearchForm(forms.Form):
    SORT_CHOICES = [
        (Sort.RELEVANCE, _("Paling sesuai")),
        (Sort.NEWEST, _("Terbaru")),
        (Sort.PRICE_ASC, _("Harga terendah")),
        (Sort.PRICE_DESC, _("Harga tertinggi")),
    ]

    q = forms.CharField(label=_("Kata kunci"), max_length=100, required=False)
    category = forms.SlugField(label=_("Kategori"), required=False)
    store = forms.SlugField(label=_("Toko"), required=False)
    min_price = forms.IntegerField(label=_("Harga min."), min_value=0, required=False)
    max_price = forms.IntegerField(label=_("Harga maks."), min_value=0, required=False)
    sort = forms.ChoiceField(label=_("Urutkan"), choices=SORT_CHOICES, required=False)
    page = forms.IntegerField(min_value=1, max_value=1000, required=False)


class AddToCartForm(forms.Form):
    product_id = forms.UUIDField()
    quantity = forms.IntegerField(label=_("Jumlah"), min_value=1, max_value=999, initial=1)


class CartQuantityForm(forms.Form):
    product_id = forms.UUIDField()
    quantity = forms.IntegerField(label=_("Jumlah"), min_value=0, max_value=999)


class AreaSelect(forms.Select):
    """The district list, grouped by city; each option carries its province and city so
    `area-picker.js` can narrow it (province → city → district, or a search) in place."""

    def __init__(self, *args, areas: dict[int, Area] | None = None, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.areas = areas or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):  # noqa: ANN001, ANN201, PLR0913
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        area = self.areas.get(int(value)) if str(value).isdigit() else None
        if area is not None:
            option["attrs"].update({"data-province": area.province, "data-city": area.city})
        return option


class AddressForm(forms.Form):
    """A shipping address; the district is picked from the list of districts we ship to
    (`areas`, ordered by province, city and name), never typed."""

    name = forms.CharField(
        label=_("Nama penerima"), min_length=2, max_length=100, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    phone = PhoneFormField(label=_("Nomor HP"))
    address = forms.CharField(
        label=_("Alamat lengkap"),
        min_length=5,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "street-address"}),
        help_text=_("Jalan, nomor rumah, RT/RW, desa/kelurahan."),
    )
    district_id = forms.TypedChoiceField(
        label=_("Kecamatan"),
        coerce=int,
        empty_value=None,
        error_messages={"required": _("Pilih kecamatan tujuan."), "invalid_choice": _("Pilih kecamatan dari daftar.")},
    )
    postal_code = forms.RegexField(
        label=_("Kode pos (opsional)"),
        regex=r"^[0-9]{5}$",
        required=False,
        error_messages={"invalid": _("Lima angka")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )

    def __init__(self, *args, areas: list[Area] | tuple = (), **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.areas = {area.pk: area for area in areas}
        groups: dict[str, list[tuple[int, str]]] = {}
        for area in areas:
            groups.setdefault(f"{area.city}, {area.province}", []).append((area.pk, area.name))
        field = self.fields["district_id"]
        field.choices = [("", _("— Pilih kecamatan —")), *groups.items()]
        field.widget = AreaSelect(areas=self.areas, attrs={"data-area-select": "", "autocomplete": "off"})
        field.widget.choices = field.choices

    def address_data(self) -> dict:
        """{name, phone, address, district_id, district, city, postal_code} for an order."""
        area = self.areas[self.cleaned_data["district_id"]]
        data = {key: self.cleaned_data[key] for key in ("name", "phone", "address")}
        data.update(
            district_id=area.pk,
            district=area.name,
            city=area.city,
            postal_code=self.cleaned_data.get("postal_code") or area.postal_code,
        )
        return data


class SavedAddressForm(AddressForm):
    label = forms.CharField(label=_("Nama alamat"), max_length=40, required=False, help_text=_("Mis. Rumah, Kantor"))
    is_default = forms.BooleanField(label=_("Jadikan alamat utama"), required=False)


class CheckoutForm(AddressForm):
    store_id = forms.UUIDField(widget=forms.HiddenInput)
    courier = forms.RegexField(
        label=_("Kurir"),
        regex=r"^[a-z0-9_]{2,20}(:[A-Za-z0-9_-]{1,30})?$",
        error_messages={"required": _("Pilih kurir dulu."), "invalid": _("Pilih kurir dari daftar.")},
    )
    promo_code = forms.CharField(label=_("Kode promo"), max_length=40, required=False)
    # A random token per rendered form: the idempotency key of the order it places.
    form_token = forms.RegexField(regex=r"^[A-Za-z0-9_-]{16,64}$", widget=forms.HiddenInput, required=False)
