"""Buyer pages through the Django test client: status, content, permissions, query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from catalog.models import Product
from conftest import PASSWORD, make_user
from orders.models import CartItem, Order
from orders.tests.factories import ADDRESS, make_promo, place
from storefront.templatetags.money import format_rupiah
from storefront.tests.factories import add_product
from tokoblitar.middleware import store_slug_from_host

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(seller):
    return seller.store


def login(client, user) -> None:
    assert client.login(email=user.email, password=PASSWORD)


def test_rupiah_filter():
    assert format_rupiah(25000) == "Rp\xa025.000"
    assert format_rupiah(0) == "Rp\xa00"
    assert format_rupiah(1234567) == "Rp\xa01.234.567"
    assert format_rupiah(None) == ""


def test_home_shows_products_and_empty_state(client, store):
    response = client.get("/")
    assert response.status_code == 200
    assert "Belum ada produk yang dijual" in response.content.decode()
    add_product(store, name="Kopi Robusta Wlingi", price=45_000)
    body = client.get("/").content.decode()
    assert "Kopi Robusta Wlingi" in body and "Rp\xa045.000" in body


def test_search_tolerates_typos_and_says_what_to_do_when_empty(client, store):
    add_product(store, name="Sambal Pecel Khas Blitar")
    body = client.get("/cari/", {"q": "sambel pecal"}).content.decode()
    assert "Sambal Pecel Khas Blitar" in body
    empty = client.get("/cari/", {"q": "zzzzqqq"})
    assert empty.status_code == 200
    assert "Tidak ada produk yang cocok" in empty.content.decode()


def test_search_bad_filters_do_not_crash(client, store):
    add_product(store, name="Batik Tulis")
    response = client.get("/cari/", {"min_price": "murah", "page": "-3"})
    assert response.status_code == 200


def test_store_page_and_suspended_store_is_styled_404(client, store):
    add_product(store, name="Wingko Babat")
    response = client.get(f"/store/{store.slug}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Wingko Babat" in body and 'property="og:title"' in body
    store.is_active = False
    store.save(update_fields=["is_active"])
    missing = client.get(f"/store/{store.slug}/")
    assert missing.status_code == 404
    assert "Kembali ke beranda" in missing.content.decode()


def test_store_subdomain_serves_the_store(client, store):
    add_product(store, name="Kendang Jimbe Mini")
    response = client.get("/", HTTP_HOST=f"{store.slug}.tokoblitar.com")
    assert response.status_code == 200
    assert store.name in response.content.decode() and "Kendang Jimbe Mini" in response.content.decode()
    unknown = client.get("/", HTTP_HOST="tidak-ada.tokoblitar.com")
    assert unknown.status_code == 404
    assert "Kembali ke beranda" in unknown.content.decode()
    # Other pages keep working on the subdomain.
    assert client.get("/keranjang/", HTTP_HOST=f"{store.slug}.tokoblitar.com").status_code == 200


def test_store_slug_from_host():
    assert store_slug_from_host("kopi-ku.tokoblitar.com:8000", "tokoblitar.com") == "kopi-ku"
    assert store_slug_from_host("tokoblitar.com", "tokoblitar.com") is None
    assert store_slug_from_host("www.tokoblitar.com", "tokoblitar.com") is None
    assert store_slug_from_host("a.b.tokoblitar.com", "tokoblitar.com") is None
    assert store_slug_from_host("localhost:8000", "tokoblitar.com") is None


def test_product_page_has_price_meta_and_add_to_cart(client, store):
    product = add_product(store, name="Gula Merah Aren", price=25_000)
    response = client.get(f"/p/{store.slug}/{product.slug}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Rp\xa025.000" in body
    assert 'property="og:image"' in body and 'property="og:title"' in body
    assert reverse("storefront:cart-add") in body
    draft = add_product(store, name="Belum Dijual", status=Product.Status.DRAFT)
    assert client.get(f"/p/{store.slug}/{draft.slug}/").status_code == 404


def test_visitor_cart_moves_into_account_at_login_and_checkout_comes_back(client, store, buyer):
    product = add_product(store, name="Kopi Tubruk", price=20_000)
    client.post(reverse("storefront:cart-add"), {"product_id": product.pk, "quantity": 2})
    cart = client.get("/keranjang/").content.decode()
    assert "Kopi Tubruk" in cart and "Rp\xa040.000" in cart
    checkout_url = f"/checkout/?store={store.pk}"
    response = client.get(checkout_url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
    login_page = client.get(response["Location"])
    assert "Masuk dulu untuk melanjutkan" in login_page.content.decode()
    after = client.post("/login/", {"username": buyer.email, "password": PASSWORD, "next": checkout_url})
    assert after.status_code == 302 and after["Location"] == checkout_url
    assert CartItem.objects.get(buyer=buyer, product=product).quantity == 2
    page = client.get(checkout_url)
    assert page.status_code == 200 and "Kopi Tubruk" in page.content.decode()


def test_login_refuses_foreign_next(client, buyer):
    response = client.post("/login/", {"username": buyer.email, "password": PASSWORD, "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/"


def test_wrong_password_shows_error_and_stays(client, buyer):
    response = client.post("/login/", {"username": buyer.email, "password": "salah-sekali"})
    assert response.status_code == 400
    assert "Email atau kata sandi salah" in response.content.decode()


def test_register_buyer_and_seller(client):
    response = client.post(
        "/register/",
        {"full_name": "Dewi Lestari", "email": "dewi@contoh.id", "password": "Sangat-Rahasia-9", "role": "seller"},
    )
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200
    client.post("/logout/")
    weak = client.post(
        "/register/", {"full_name": "Budi", "email": "budi@contoh.id", "password": "123", "role": "buyer"}
    )
    assert weak.status_code == 400 and "errorlist" in weak.content.decode()


def test_add_to_cart_over_stock_is_refused_with_message(client, store, buyer):
    login(client, buyer)
    product = add_product(store, name="Tahu Takwa", stock=1)
    response = client.post(reverse("storefront:cart-add"), {"product_id": product.pk, "quantity": 5}, follow=True)
    assert "Tidak bisa menambahkan ke keranjang" in response.content.decode()
    assert not CartItem.objects.filter(buyer=buyer).exists()


def test_checkout_quote_shows_rates_and_promo_discount(client, store, buyer):
    login(client, buyer)
    product = add_product(store, name="Kopi Luwak", price=100_000)
    make_promo(store=store, code="HEMAT10")
    client.post(reverse("storefront:cart-add"), {"product_id": product.pk, "quantity": 1})
    params = {"store_id": store.pk, **ADDRESS, "promo_code": "hemat10"}
    body = client.get(reverse("storefront:checkout-quote"), params).content.decode()
    assert 'name="courier"' in body
    assert "Rp\xa010.000" in body  # 10% of Rp 100.000
    bad = client.get(reverse("storefront:checkout-quote"), {**params, "promo_code": "NGAWUR"}).content.decode()
    assert 'data-testid="promo-error"' in bad


def test_checkout_places_order_and_goes_to_payment(client, store, buyer):
    from shipping.services import shipping_rates

    login(client, buyer)
    product = add_product(store, name="Kacang Mete", price=30_000, stock=5)
    client.post(reverse("storefront:cart-add"), {"product_id": product.pk, "quantity": 2})
    rate = shipping_rates(store=store, destination=ADDRESS, weight_gram=500)[0]
    response = client.post("/checkout/", {"store_id": store.pk, **ADDRESS, "courier": rate.code})
    assert response.status_code == 302, response.content.decode()[:2000]
    order = Order.objects.get(buyer=buyer)
    assert response["Location"] == f"/pay/{order.pk}/"
    assert order.subtotal == 60_000
    product.refresh_from_db()
    assert product.stock == 3
    assert not CartItem.objects.filter(buyer=buyer).exists()


def test_checkout_without_courier_keeps_form_and_creates_nothing(client, store, buyer):
    login(client, buyer)
    product = add_product(store, name="Kacang Mete", price=30_000, stock=5)
    client.post(reverse("storefront:cart-add"), {"product_id": product.pk, "quantity": 1})
    response = client.post("/checkout/", {"store_id": store.pk, **ADDRESS})
    assert response.status_code == 200
    assert "Pilih kurir dulu" in response.content.decode()
    assert not Order.objects.exists()


def test_seller_cannot_checkout(client, seller, store):
    login(client, seller)
    assert client.get("/checkout/").status_code == 302


def test_orders_pages_only_show_own_orders(client, store, buyer):
    product = add_product(store, name="Brem Madiun", price=15_000)
    placed = place(buyer=buyer, product=product, quantity=1)
    login(client, buyer)
    listing = client.get("/pesanan/").content.decode()
    assert placed.order.number in listing
    detail = client.get(f"/pesanan/{placed.order.pk}/")
    assert detail.status_code == 200 and "Menunggu pembayaran" in detail.content.decode()
    other = make_user("buyer")
    client.logout()
    login(client, other)
    assert client.get(f"/pesanan/{placed.order.pk}/").status_code == 404
    assert "Belum ada pesanan" in client.get("/pesanan/").content.decode()


def test_language_switch_turns_home_english(client):
    assert "Keranjang" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get("/").content.decode()
    assert "Cart" in body and '<html lang="en">' in body
    client.post("/i18n/setlang/", {"language": "id", "next": "/"})
    assert "Keranjang" in client.get("/").content.decode()


# --- Query counts: flat as rows grow (no N+1) ------------------------------------------


@pytest.mark.parametrize("page", ["home", "store", "product", "search"])
def test_page_queries_do_not_grow_with_rows(client, store, page, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # Start with enough rows that every section (featured, "more from store") is non-empty.
    first = add_product(store, name="Produk Awal", featured=True)
    for n in range(4):
        add_product(store, name=f"Produk Awal {n}", featured=True)

    def url() -> str:
        return {
            "home": "/",
            "store": f"/store/{store.slug}/",
            "product": f"/p/{store.slug}/{first.slug}/",
            "search": "/cari/?q=produk",
        }[page]

    client.get(url())  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as small:
        client.get(url())
    for n in range(8):
        add_product(store, name=f"Produk Tambahan {n}", featured=True)
    with django_assert_max_num_queries(len(small)):  # 13 products render with the queries 5 did
        assert client.get(url()).status_code == 200
    assert len(small) <= 6


def test_styled_500_page_needs_no_database():
    from django.test import RequestFactory

    from tokoblitar.api.handlers import handler500

    response = handler500(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Kembali ke beranda" in response.content.decode() and "app.css" in response.content.decode()


@pytest.mark.django_db
def test_search_page_stops_at_the_result_window(client, monkeypatch):
    """Like the API, the search page pages through the first RESULT_WINDOW results only."""
    import storefront.views
    from catalog.tests.factories import catalog_product
    from conftest import make_user

    monkeypatch.setattr(storefront.views, "RESULT_WINDOW", 30)
    store = make_user("seller").store
    for i in range(40):
        catalog_product(store, name=f"Keripik Tempe {i}", price=10000 + i)
    first = client.get("/cari/", {"q": "keripik"})
    assert first.status_code == 200
    assert first.context["window"].has_next
    second = client.get("/cari/", {"q": "keripik", "page": 2})
    assert len(second.context["window"].items) == 6  # 30 - 24, not 16
    assert not second.context["window"].has_next
    past = client.get("/cari/", {"q": "keripik", "page": 3})
    assert past.status_code == 200 and past.context["window"].items == []
