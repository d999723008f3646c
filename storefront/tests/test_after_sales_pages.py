"""Issue 11 pages: the checkout destination list and courier error, courier names and
estimates, sellers shopping, and the buyer's after-sales (receipt, tabs, confirm, buy again,
saved addresses, account menu); the seller's order page after an automatic booking."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.models import SavedAddress
from conftest import PASSWORD, make_admin, make_user
from orders.causes import Cause
from orders.models import CartItem, Order
from orders.services import order_transition
from orders.tests.factories import ADDRESS, place
from storefront.templatetags.couriers import courier_name, etd_days
from storefront.tests.factories import add_product

pytestmark = pytest.mark.django_db

SANANWETAN = 357203


@pytest.fixture
def store(seller):
    return seller.store


def login(client, user) -> None:
    assert client.login(email=user.email, password=PASSWORD)


def _in_cart(client, user, product, quantity: int = 1) -> None:
    login(client, user)
    client.post(reverse("storefront:cart-add"), {"product_id": product.pk, "quantity": quantity})
    assert CartItem.objects.filter(buyer=user, product=product).exists()


# --- Checkout -------------------------------------------------------------------------------


def test_checkout_destination_is_a_list_grouped_by_city(client, store, buyer):
    _in_cart(client, buyer, add_product(store))
    html = client.get(f"/checkout/?store={store.pk}").content.decode()
    select = re.search(r'<select name="district_id".*?</select>', html, re.S).group(0)
    assert '<optgroup label="Kota Blitar, Jawa Timur">' in select
    assert (
        f'<option value="{SANANWETAN}" data-province="Jawa Timur" data-city="Kota Blitar">Sananwetan</option>' in select
    )
    assert 'name="district"' not in html and 'name="city"' not in html  # no free text
    assert "js/area-picker.js" in html


def test_checkout_with_a_district_from_the_list_places_the_order(client, store, buyer):
    from shipping.services import shipping_rates

    _in_cart(client, buyer, add_product(store, price=30_000))
    rate = shipping_rates(store=store, destination=SANANWETAN, weight_gram=250)[0]
    address = {"name": "Siti", "phone": "081234567890", "address": "Jl. Merdeka 12", "district_id": SANANWETAN}
    response = client.post("/checkout/", {"store_id": store.pk, **address, "courier": rate.code})
    assert response.status_code == 302, response.content.decode()[:3000]
    order = Order.objects.get(buyer=buyer)
    assert order.shipping_address["district_id"] == SANANWETAN
    assert order.shipping_address["district"] == "Sananwetan"
    assert order.shipping_address["city"] == "Kota Blitar"
    assert order.shipping_address["postal_code"] == "66137"  # the district's, when left empty


def test_an_address_with_names_spaced_differently_still_resolves(client, store, buyer):
    _in_cart(client, buyer, add_product(store))
    params = {"store_id": store.pk, **ADDRESS, "district": "Sanan Wetan", "action": "quote"}
    html = client.post("/checkout/", params).content.decode()
    assert re.search(rf'<option value="{SANANWETAN}" selected[^>]*>Sananwetan<', html)
    assert 'data-testid="courier-option"' in html


def test_missing_courier_is_said_beside_the_courier_list_and_focused(client, store, buyer):
    _in_cart(client, buyer, add_product(store))
    address = {"name": "Siti", "phone": "081234567890", "address": "Jl. Merdeka 12", "district_id": SANANWETAN}
    html = client.post("/checkout/", {"store_id": store.pk, **address}).content.decode()
    quote = re.search(r'<section class="card" id="quote".*?</section>', html, re.S).group(0)
    assert 'data-testid="courier-error"' in quote and "Pilih kurir dulu." in quote
    first_option = re.search(r'<input type="radio" name="courier"[^>]*>', quote).group(0)
    assert "autofocus" in first_option
    assert not Order.objects.exists()
    # Choosing a courier re-renders the card (htmx) without the error.
    code = re.search(r'name="courier" value="([^"]+)"', quote).group(1)
    again = client.get(reverse("storefront:checkout-quote"), {"store_id": store.pk, **address, "courier": code})
    assert "courier-error" not in again.content.decode()


def test_couriers_named_as_buyers_know_them_with_sane_estimates(client, store, buyer):
    _in_cart(client, buyer, add_product(store))
    html = client.get(
        reverse("storefront:checkout-quote"), {"store_id": store.pk, "district_id": SANANWETAN}
    ).content.decode()
    names = set(re.findall(r'data-testid="courier-name">([^<]+)<', html))
    assert {"J&amp;T Express", "SiCepat", "AnterAja", "JNE", "Pos Indonesia"} <= names
    assert "JNT" not in html
    estimates = re.findall(r'data-testid="courier-etd">([^<]+)<', html)
    assert estimates and all(re.fullmatch(r"Estimasi \d+(–\d+)? hari", e) for e in estimates), estimates
    assert not any(re.search(r"(\d+)[-–]\1\b", e) for e in estimates)


@pytest.mark.parametrize(
    ("raw", "shown"), [("3-3", "3 hari"), ("1-2", "1–2 hari"), ("2", "2 hari"), ("2 - 3", "2–3 hari"), ("", "")]
)
def test_estimates_read_like_a_person_wrote_them(raw, shown):
    assert etd_days(raw) == shown
    assert courier_name("jnt") == "J&T Express"


# --- Sellers shop, admins do not --------------------------------------------------------------


def test_seller_checks_out_in_another_store_but_not_her_own(client, seller, other_seller):
    _in_cart(client, seller, add_product(other_seller.store))
    assert client.get(f"/checkout/?store={other_seller.store.pk}").status_code == 200
    own = add_product(seller.store, name="Produk Sendiri")
    client.post(reverse("storefront:cart-add"), {"product_id": own.pk, "quantity": 1})
    cart = client.get("/keranjang/").content.decode()
    assert "Ini toko Anda sendiri: tidak bisa dipesan." in cart
    page = client.get(f"/checkout/?store={seller.store.pk}").content.decode()
    assert 'data-testid="own-store"' in page
    from shipping.services import shipping_rates

    rate = shipping_rates(store=seller.store, destination=SANANWETAN, weight_gram=250)[0]
    address = {"name": "Sri", "phone": "081234567890", "address": "Jl. Mawar 1", "district_id": SANANWETAN}
    response = client.post("/checkout/", {"store_id": seller.store.pk, **address, "courier": rate.code}, follow=True)
    assert "Anda tidak bisa memesan dari toko sendiri" in response.content.decode()
    assert not Order.objects.exists()


def test_admin_is_refused_buyer_pages(client):
    admin = make_admin()
    login(client, admin)
    assert client.get("/checkout/").status_code == 403
    assert client.get(reverse("storefront:checkout-quote")).status_code == 403


# --- After-sales ------------------------------------------------------------------------------


def _shipped(buyer, store) -> Order:
    order = place(buyer=buyer, product=add_product(store, name="Sambal Pecel")).order
    order = order_transition(order=order, to=Order.Status.PAID, cause=Cause("test"))
    return order_transition(order=order, to=Order.Status.SHIPPED, cause=Cause("test"))


def test_buyer_confirms_receipt_from_the_order_page(client, store, buyer):
    order = _shipped(buyer, store)
    login(client, buyer)
    page = client.get(f"/pesanan/{order.pk}/").content.decode()
    assert 'data-testid="confirm-received"' in page
    response = client.post(reverse("storefront:order-received", args=[order.pk]), follow=True)
    assert "Terima kasih! Pesanan selesai." in response.content.decode()
    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETED
    assert 'data-testid="confirm-received"' not in client.get(f"/pesanan/{order.pk}/").content.decode()
    other = make_user("buyer")
    login(client, other)
    assert client.post(reverse("storefront:order-received", args=[order.pk])).status_code == 404


def test_buy_again_fills_the_cart_and_names_what_it_skipped(client, store, buyer):
    order = _shipped(buyer, store)
    gone = add_product(store, name="Wingko Lama")
    order.items.create(product=gone, product_name=gone.name, price=gone.price, quantity=1, weight_gram=250)
    gone.status = gone.Status.DRAFT
    gone.save(update_fields=["status"])
    login(client, buyer)
    response = client.post(reverse("storefront:order-buy-again", args=[order.pk]), follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/keranjang/"
    assert "Dimasukkan ke keranjang: Sambal Pecel" in html
    assert "Wingko Lama tidak dimasukkan: tidak dijual lagi" in html
    assert list(CartItem.objects.filter(buyer=buyer).values_list("product__name", flat=True)) == ["Sambal Pecel"]


def test_order_tabs_filter_by_status(client, store, buyer):
    shipped = _shipped(buyer, store)
    pending = place(buyer=buyer, product=add_product(store, name="Kopi Wlingi")).order
    login(client, buyer)
    everything = client.get("/pesanan/").content.decode()
    assert shipped.number in everything and pending.number in everything
    to_pay = client.get("/pesanan/?status=bayar").content.decode()
    assert pending.number in to_pay and shipped.number not in to_pay
    assert 'aria-current="page" data-testid="order-tab">Belum bayar' in to_pay
    on_the_way = client.get("/pesanan/?status=dikirim").content.decode()
    assert shipped.number in on_the_way and pending.number not in on_the_way
    assert "Tidak ada pesanan dengan status ini." in client.get("/pesanan/?status=selesai").content.decode()


def test_order_tabs_cost_the_same_queries_for_one_or_many(client, store, buyer, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, buyer)
    _shipped(buyer, store)
    with CaptureQueriesContext(connection) as one:
        client.get("/pesanan/?status=dikirim")
    for _ in range(3):
        _shipped(buyer, store)
    with CaptureQueriesContext(connection) as many:
        client.get("/pesanan/?status=dikirim")
    assert len(many) == len(one)


def test_receipt_prints_the_order(client, store, buyer):
    order = _shipped(buyer, store)
    login(client, buyer)
    html = client.get(reverse("storefront:order-receipt", args=[order.pk])).content.decode()
    assert 'data-testid="receipt"' in html and order.number in html and "Sambal Pecel" in html
    assert "js/print.js" in html
    css = open("static/css/app.css", encoding="utf-8").read()
    assert "@media print" in css and ".topbar, .site-footer" in css
    login(client, make_user("buyer"))
    assert client.get(reverse("storefront:order-receipt", args=[order.pk])).status_code == 404


def test_saved_address_on_the_profile_is_offered_at_checkout(client, store, buyer):
    login(client, buyer)
    response = client.post(
        reverse("storefront:profile"),
        {
            "label": "Rumah",
            "name": "Siti",
            "phone": "081234567890",
            "address": "Jl. Kenari 3",
            "district_id": SANANWETAN,
        },
    )
    assert response.status_code == 302
    saved = SavedAddress.objects.get(user=buyer)
    assert (saved.district, saved.city, saved.is_default) == ("Sananwetan", "Kota Blitar", True)
    _in_cart(client, buyer, add_product(store))
    html = client.get(f"/checkout/?store={store.pk}").content.decode()
    assert 'data-testid="saved-address"' in html and "Rumah · Sananwetan" in html
    assert 'value="Jl. Kenari 3"' not in html  # textarea content, not value
    assert "Jl. Kenari 3</textarea>" in html
    assert re.search(rf'<option value="{SANANWETAN}" selected[^>]*>Sananwetan<', html)
    # Someone else cannot delete it.
    other = make_user("buyer")
    login(client, other)
    assert client.post(reverse("storefront:address-delete", args=[saved.pk])).status_code == 404
    login(client, buyer)
    client.post(reverse("storefront:address-delete", args=[saved.pk]))
    assert not SavedAddress.objects.exists()


def test_account_menu_in_the_header_has_logout(client, buyer, seller):
    for user in (buyer, seller):
        login(client, user)
        html = client.get("/").content.decode()
        header = re.search(r'<header class="topbar">.*?</header>', html, re.S).group(0)
        assert 'data-testid="account-menu"' in header and 'data-testid="header-logout"' in header
        assert 'data-testid="nav-cart"' in header  # sellers shop too


# --- Seller order page after an automatic booking ---------------------------------------------


def test_seller_order_page_shows_the_booking_and_no_typed_awb(client, store, buyer, settings):
    from shipping.models import Shipment
    from shipping.services import shipment_request_pickup

    settings.SHIPPING_PROVIDER = "simulator"
    order = place(buyer=buyer, product=add_product(store)).order
    order = order_transition(order=order, to=Order.Status.PAID, cause=Cause("test"))
    shipment_request_pickup(order_id=str(order.pk), attempt=1)
    shipment = Shipment.objects.get(order=order)
    assert shipment.status == Shipment.Status.BOOKED and not shipment.awb
    login(client, store.owner)
    html = client.get(f"/dashboard/pesanan/{order.pk}/").content.decode()
    assert 'data-testid="booking-card"' in html
    assert 'data-testid="booked-courier">JNE' in html
    assert "Menunggu resi dari kurir" in html
    assert shipment.provider_order_id in html  # the seller sees the pickup number
    assert 'data-testid="ship-order"' not in html and 'name="awb"' not in html
    assert 'data-testid="advance-shipment"' in html  # works from the first step
    # The first step gives the AWB, through the real webhook.
    settings.SITE_URL = "http://testserver"
    from shipping.management.commands.advance_shipment import in_process_transport
    from shipping.services import shipment_advance

    shipment_advance(order=order, transport=in_process_transport)
    shipment.refresh_from_db()
    html = client.get(f"/dashboard/pesanan/{order.pk}/").content.decode()
    assert f'data-testid="booked-awb">{shipment.awb}<' in html


def test_buyer_tracking_offers_the_simulator_step_after_booking(client, store, buyer, settings):
    from shipping.services import shipment_request_pickup

    settings.SHIPPING_PROVIDER = "simulator"
    order = place(buyer=buyer, product=add_product(store)).order
    order = order_transition(order=order, to=Order.Status.PAID, cause=Cause("test"))
    shipment_request_pickup(order_id=str(order.pk), attempt=1)
    login(client, buyer)
    html = client.get(f"/pesanan/{order.pk}/").content.decode()
    assert 'data-testid="advance-shipment"' in html
    assert reverse("storefront:order-advance", args=[order.pk]) in html
