"""Page forms: they parse and label input; the services decide the rules."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from catalog.search import Sort


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
    phone = forms.RegexField(
        label=_("Nomor HP (opsional)"),
        regex=r"^\+?[0-9]{8,15}$",
        required=False,
        error_messages={"invalid": _("8–15 angka, boleh diawali +")},
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
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


class AddressForm(forms.Form):
    name = forms.CharField(
        label=_("Nama penerima"), min_length=2, max_length=100, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    phone = forms.RegexField(
        label=_("Nomor HP"),
        regex=r"^\+?[0-9]{8,15}$",
        max_length=16,
        error_messages={"invalid": _("8–15 angka, boleh diawali +")},
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    address = forms.CharField(
        label=_("Alamat lengkap"),
        min_length=5,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "street-address"}),
    )
    district = forms.CharField(label=_("Kecamatan"), min_length=2, max_length=100)
    city = forms.CharField(label=_("Kota/Kabupaten"), min_length=2, max_length=100)
    postal_code = forms.RegexField(
        label=_("Kode pos"),
        regex=r"^[0-9]{5}$",
        error_messages={"invalid": _("Lima angka")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )


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

    def address_data(self) -> dict:
        return {key: self.cleaned_data[key] for key in ("name", "phone", "address", "city", "district", "postal_code")}
