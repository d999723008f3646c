"""One language per page: a service's error reads in the page's language, never in English
on an Indonesian page. The API answers English unless the client asks for Indonesian.

`english_leaks` knows every English message the services raise (the msgids translated in
locale/id), so a page that shows one untranslated fails here, whichever error it was."""

from __future__ import annotations

import gettext
import re
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from conftest import PASSWORD, client_for, make_user
from orders.models import Order
from orders.services import order_ship
from orders.tests.factories import ADDRESS, make_promo, place
from shipping.services import parse_courier
from storefront.tests.factories import add_product
from tokoblitar.errors import ValidationFailed

pytestmark = pytest.mark.django_db


@cache
def _english_fragments() -> frozenset[str]:
    """Literal pieces (placeholders cut out) of every msgid the Indonesian catalogue translates."""
    path = Path(settings.LOCALE_PATHS[0]) / "id" / "LC_MESSAGES" / "django.mo"
    with path.open("rb") as mo:
        catalog = gettext.GNUTranslations(mo)._catalog  # type: ignore[attr-defined]
    fragments = set()
    for msgid, msgstr in catalog.items():
        if not isinstance(msgid, str) or not msgid or msgid == msgstr:
            continue
        for piece in re.split(r"%\(\w+\)s", msgid):
            piece = piece.strip(" :.,;")
            if len(piece) >= 12 and piece not in str(msgstr):
                fragments.add(piece)
    return frozenset(fragments)


def english_leaks(html: str) -> list[str]:
    return sorted(f for f in _english_fragments() if f in html)


def assert_indonesian(html: str, *expected: str) -> None:
    for text in expected:
        assert text in html, f"{text!r} not on the page"
    assert english_leaks(html) == []


def test_the_leak_detector_knows_our_english_messages():
    assert "left in stock" in english_leaks("Only 2 of Kopi left in stock")
    assert "has been used up" in english_leaks("Promo code HEMAT has been used up")
    assert english_leaks("Stok Kopi tidak cukup: tersisa 2") == []


@pytest.fixture
def store(seller):
    return seller.store


@pytest.fixture
def buyer_web(client, buyer):
    assert client.login(email=buyer.email, password=PASSWORD)
    return client


# --- Buyer pages ----------------------------------------------------------------------------


def test_cart_add_beyond_stock_speaks_indonesian(buyer_web, store):
    product = add_product(store, name="Kopi Wlingi", stock=2, with_photo=False)
    response = buyer_web.post("/keranjang/tambah/", {"product_id": product.pk, "quantity": 5}, follow=True)
    html = response.content.decode()
    assert_indonesian(html, "Tidak bisa menambahkan ke keranjang", "Stok Kopi Wlingi tidak cukup: tersisa 2")
    assert "left in stock" not in html


def _checkout_post(client, product, **extra):
    client.post("/keranjang/tambah/", {"product_id": product.pk, "quantity": 1})
    data = {
        **ADDRESS,
        "store_id": product.store_id,
        "courier": "jne",
        "form_token": "tok-" + "a" * 20,
        **extra,
    }
    return client.post("/checkout/", data)


def test_checkout_with_an_exhausted_promo_speaks_indonesian(buyer_web, store):
    product = add_product(store, name="Sambal Pecel", with_photo=False)
    make_promo(store=store, code="HABIS", usage_limit=1, used_count=1)
    html = _checkout_post(buyer_web, product, promo_code="habis").content.decode()
    assert_indonesian(html, "Pesanan belum dibuat", "Kode promo HABIS sudah habis dipakai")
    assert "has been used up" not in html
    assert not Order.objects.exists()


def test_checkout_with_an_unknown_promo_speaks_indonesian(buyer_web, store):
    product = add_product(store, name="Wingko Babat", with_photo=False)
    html = _checkout_post(buyer_web, product, promo_code="ngawur", action="quote").content.decode()
    assert_indonesian(html, "Kode promo NGAWUR tidak ditemukan")
    assert "does not exist" not in html


def test_checkout_promo_below_minimum_order_speaks_indonesian(buyer_web, store):
    product = add_product(store, name="Gula Kelapa", price=18_000, with_photo=False)
    make_promo(store=store, code="MINIMAL", min_order=100_000)
    html = _checkout_post(buyer_web, product, promo_code="minimal").content.decode()
    assert_indonesian(html, "Kode promo MINIMAL berlaku untuk belanja minimal Rp 100.000")
    assert "needs a minimum order" not in html


def test_register_with_a_duplicate_email_speaks_indonesian(client, buyer):
    data = {"full_name": "Siti", "email": buyer.email, "password": PASSWORD, "role": "buyer"}
    html = client.post("/register/", data).content.decode()
    assert_indonesian(html, "Email ini tidak bisa dipakai untuk mendaftar")
    assert "cannot be used to register" not in html


def test_register_with_a_weak_password_speaks_indonesian(client, db):
    data = {"full_name": "Siti", "email": "siti@contoh.id", "password": "12345678", "role": "buyer"}
    html = client.post("/register/", data).content.decode()
    # Django's own validators, in Django's Indonesian.
    assert "Kata sandi ini terlalu umum." in html and "Kata sandi ini seluruhnya terdiri dari angka." in html
    assert "too common" not in html and "entirely numeric" not in html
    assert english_leaks(html) == []


# --- Seller dashboard -----------------------------------------------------------------------


@pytest.fixture
def seller_web(client, seller):
    assert client.login(email=seller.email, password=PASSWORD)
    return client


def test_dashboard_non_image_upload_speaks_indonesian(seller_web, store):
    fake = SimpleUploadedFile("foto.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    data = {"name": "Kopi Bubuk", "description": "", "price": "45000", "stock": "3", "weight_gram": "250"}
    html = seller_web.post("/dashboard/produk/baru/", {**data, "status": "active", "image": fake}, follow=True)
    html = html.content.decode()
    assert_indonesian(html, "Unggah foto JPEG, PNG atau WebP")
    assert "Upload a JPEG" not in html


def test_seller_order_action_not_allowed_speaks_indonesian(seller_web, store, buyer):
    product = add_product(store, name="Gula Aren", with_photo=False)
    order = place(buyer=buyer, product=product).order
    Order.objects.filter(pk=order.pk).update(status=Order.Status.PROCESSING)
    order_ship(order=Order.objects.get(pk=order.pk), awb="JNE00112233")
    response = seller_web.post(f"/dashboard/pesanan/{order.pk}/cancel/", {"reason": "stok habis"}, follow=True)
    html = response.content.decode()
    assert_indonesian(html, f"Tidak bisa: Pesanan {order.number} sudah dikirim")
    assert "is already" not in html


# --- Admin panel ----------------------------------------------------------------------------


def test_admin_suspending_a_suspended_store_speaks_indonesian(client, admin_user, store):
    client.force_login(admin_user)
    client.post(f"/admin-panel/stores/{store.pk}/suspend/", {"reason": "Barang palsu"})
    html = client.post(f"/admin-panel/stores/{store.pk}/suspend/", follow=True).content.decode()
    assert_indonesian(html, f"Toko {store.name} sudah ditangguhkan")
    assert "already suspended" not in html


def test_english_page_shows_the_english_message(client, buyer, store):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.login(email=buyer.email, password=PASSWORD)
    product = add_product(store, name="Kopi Wlingi", stock=2, with_photo=False)
    html = client.post("/keranjang/tambah/", {"product_id": product.pk, "quantity": 5}, follow=True)
    assert "Only 2 of Kopi Wlingi left in stock" in html.content.decode()


# --- API ------------------------------------------------------------------------------------


def test_api_answers_english_by_default_and_indonesian_on_request(store):
    product = add_product(store, name="Kopi Wlingi", stock=2, with_photo=False)
    api = client_for(make_user("buyer"))
    body = {"product_id": str(product.pk), "quantity": 5}

    english = api.post("/api/buyer/cart", body, format="json")
    assert english.status_code == 409
    assert english.json()["error"] == "Only 2 of Kopi Wlingi left in stock"
    assert english.json()["meta"]["code"] == "out_of_stock"
    assert english.json()["meta"]["available"] == 2

    indonesian = api.post("/api/buyer/cart", body, format="json", HTTP_ACCEPT_LANGUAGE="id")
    assert indonesian.status_code == 409
    assert indonesian.json()["error"] == "Stok Kopi Wlingi tidak cukup: tersisa 2"
    assert indonesian.json()["meta"]["code"] == "out_of_stock"


def test_api_promo_error_has_code_and_both_languages(store):
    product = add_product(store, name="Sambal Pecel", with_photo=False)
    make_promo(store=store, code="HABIS", usage_limit=1, used_count=1)
    api = client_for(make_user("buyer"))
    body = {
        "store_id": str(store.pk),
        "items": [{"product_id": str(product.pk), "quantity": 1}],
        "shipping_address": dict(ADDRESS),
        "courier": "jne",
        "promo_code": "habis",
    }
    english = api.post("/api/buyer/orders", body, format="json")
    assert english.status_code == 400
    assert english.json()["error"] == "Promo code HABIS has been used up"
    assert english.json()["meta"]["code"] == "promo_exhausted"
    assert english.json()["meta"]["fields"] == {"promo_code": ["Promo code HABIS has been used up"]}
    indonesian = api.post("/api/buyer/orders", body, format="json", HTTP_ACCEPT_LANGUAGE="id")
    assert indonesian.json()["meta"]["fields"] == {"promo_code": ["Kode promo HABIS sudah habis dipakai"]}


def test_unknown_courier_is_a_validation_error():
    # `code, _, service = ...partition(":")` once shadowed gettext: a TypeError, not a 400.
    with pytest.raises(ValidationFailed) as caught:
        parse_courier("kurirngawur")
    assert caught.value.code == "unknown_courier"
    with translation.override("id"):
        assert caught.value.message == "Kurir tidak dikenal: kurirngawur"
    with translation.override("en"):
        assert caught.value.message == "Unknown courier: kurirngawur"
