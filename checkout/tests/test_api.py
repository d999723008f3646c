"""Cart, buyer orders, seller orders: contract, permissions, rules, query counts."""

from __future__ import annotations

import pytest

from catalog.models import Product
from conftest import client_for
from orders.models import CartItem, Order, OrderItem
from orders.tests.factories import ADDRESS, make_product, make_promo, order_body, place, quick_user, signed_notification
from promos.models import Promo, PromoRedemption

pytestmark = pytest.mark.django_db
ORDERS = "/api/buyer/orders"
CART = "/api/buyer/cart"


def stock(product: Product) -> int:
    product.refresh_from_db()
    return product.stock


# --- Cart ---------------------------------------------------------------------------------


def test_cart_groups_by_store_with_subtotals(buyer_client, product, other_seller):
    other = make_product(store=other_seller.store, price=12_500, stock=3)
    second = make_product(store=product.store, price=5_000, stock=5)
    assert buyer_client.post(CART, {"product_id": str(product.pk), "quantity": 2}, format="json").status_code == 200
    buyer_client.post(CART, {"product_id": str(second.pk), "quantity": 1}, format="json")
    response = buyer_client.post(CART, {"product_id": str(other.pk), "quantity": 3}, format="json")
    data = response.json()["data"]
    assert data["total"] == 2 * 25_000 + 5_000 + 3 * 12_500
    by_store = {g["store"]["id"]: g for g in data["stores"]}
    assert by_store[str(product.store_id)]["subtotal"] == 55_000
    assert [i["subtotal"] for i in by_store[str(product.store_id)]["items"]] == [50_000, 5_000]
    assert by_store[str(other.store_id)]["subtotal"] == 37_500


def test_cart_set_quantity_replaces_and_zero_removes(buyer_client, buyer, product):
    buyer_client.post(CART, {"product_id": str(product.pk), "quantity": 2}, format="json")
    buyer_client.post(CART, {"product_id": str(product.pk), "quantity": 5}, format="json")
    assert CartItem.objects.get(buyer=buyer).quantity == 5
    response = buyer_client.post(CART, {"product_id": str(product.pk), "quantity": 0}, format="json")
    assert response.json()["data"]["stores"] == []
    assert not CartItem.objects.exists()


def test_cart_above_stock_is_409_naming_product(buyer_client, product):
    response = buyer_client.post(CART, {"product_id": str(product.pk), "quantity": 11}, format="json")
    assert response.status_code == 409
    assert product.name in response.json()["error"]
    assert not CartItem.objects.exists()


@pytest.mark.parametrize("change", [{"status": "draft"}, {"status": "archived"}, {"deleted": True}])
def test_cart_unavailable_product_is_400_naming_it(buyer_client, product, change):
    from django.utils import timezone

    if change.get("deleted"):
        Product.objects.filter(pk=product.pk).update(deleted_at=timezone.now())
    else:
        Product.objects.filter(pk=product.pk).update(status=change["status"])
    response = buyer_client.post(CART, {"product_id": str(product.pk), "quantity": 1}, format="json")
    assert response.status_code == 400
    assert product.name in response.json()["error"]


@pytest.mark.parametrize(
    "body", [{"product_id": "nope", "quantity": 1}, {"quantity": 1}, {"product_id": None, "quantity": -1}]
)
def test_cart_bad_input_is_400(buyer_client, body):
    assert buyer_client.post(CART, body, format="json").status_code == 400


def test_cart_delete_one_or_all(buyer_client, buyer, product):
    second = make_product(store=product.store)
    buyer_client.post(CART, {"product_id": str(product.pk), "quantity": 1}, format="json")
    buyer_client.post(CART, {"product_id": str(second.pk), "quantity": 1}, format="json")
    response = buyer_client.delete(CART, {"product_id": str(product.pk)}, format="json")
    assert [i["product_id"] for i in response.json()["data"]["stores"][0]["items"]] == [str(second.pk)]
    buyer_client.delete(CART)
    assert not CartItem.objects.filter(buyer=buyer).exists()


def test_cart_is_for_shoppers_only(api_client, seller_client, admin_client_api):
    assert api_client.get(CART).status_code == 401
    assert seller_client.get(CART).status_code == 200  # sellers shop in other stores
    assert admin_client_api.get(CART).status_code == 403


def test_cart_query_count_flat(buyer_client, buyer, product, django_assert_max_num_queries):
    CartItem.objects.create(buyer=buyer, product=product, quantity=1)
    with django_assert_max_num_queries(4):
        buyer_client.get(CART)
    for _ in range(5):
        CartItem.objects.create(buyer=buyer, product=make_product(store=quick_user("seller").store), quantity=1)
    with django_assert_max_num_queries(4):
        assert len(buyer_client.get(CART).json()["data"]["stores"]) == 6


# --- Placing orders -----------------------------------------------------------------------


def test_place_order_reserves_stock_snapshots_and_opens_payment(buyer_client, buyer, product):
    CartItem.objects.create(buyer=buyer, product=product, quantity=2)
    response = buyer_client.post(ORDERS, order_body(product, 2), format="json")
    assert response.status_code == 201, response.content
    data = response.json()["data"]
    order = Order.objects.get(pk=data["order_id"])
    assert data["payment_url"].endswith(f"/pay/{order.pk}/")
    assert data["qr_code"].startswith("000201") and data["qr_code"] == order.payment.qr_string
    assert order.status == Order.Status.PENDING_PAYMENT
    assert order.subtotal == 50_000 and order.shipping_cost > 0
    assert order.total == order.subtotal - order.discount + order.shipping_cost == data["total"]
    assert order.courier == "jne" and order.courier_service
    assert stock(product) == 8
    item = OrderItem.objects.get(order=order)
    assert (item.product_name, item.price, item.quantity) == (product.name, 25_000, 2)
    assert not CartItem.objects.filter(buyer=buyer).exists()  # checked-out lines leave the cart
    # The snapshot survives later price changes.
    Product.objects.filter(pk=product.pk).update(price=99_000, name="Nama Baru")
    detail = buyer_client.get(f"{ORDERS}/{order.pk}").json()["data"]
    assert detail["items"][0]["price"] == 25_000 and detail["items"][0]["name"] == product.name


def test_place_order_with_promo_computes_total(buyer_client, product):
    make_promo(store=product.store, code="DISKON20", value=20, max_discount=8_000)
    response = buyer_client.post(ORDERS, order_body(product, 2, promo_code="diskon20"), format="json")
    order = Order.objects.get(pk=response.json()["data"]["order_id"])
    assert order.discount == 8_000  # 20% of 50.000 = 10.000, capped at 8.000
    assert order.total == 50_000 - 8_000 + order.shipping_cost
    assert order.promo_code == "DISKON20"
    assert PromoRedemption.objects.get(order=order).status == "active"


def test_fixed_promo_never_exceeds_subtotal(buyer_client, product):
    make_promo(store=product.store, code="BESAR", type=Promo.Type.FIXED, value=1_000_000)
    response = buyer_client.post(ORDERS, order_body(product, 1, promo_code="BESAR"), format="json")
    order = Order.objects.get(pk=response.json()["data"]["order_id"])
    assert order.discount == order.subtotal == 25_000
    assert order.total == order.shipping_cost


def test_short_stock_is_409_naming_product_and_nothing_stays(buyer_client, product):
    response = buyer_client.post(ORDERS, order_body(product, 11), format="json")
    assert response.status_code == 409
    assert product.name in response.json()["error"]
    assert not Order.objects.exists() and stock(product) == 10


def test_product_of_another_store_is_400(buyer_client, product, other_seller):
    foreign = make_product(store=other_seller.store)
    body = order_body(product)
    body["items"].append({"product_id": str(foreign.pk), "quantity": 1})
    response = buyer_client.post(ORDERS, body, format="json")
    assert response.status_code == 400
    assert not Order.objects.exists() and stock(product) == 10


@pytest.mark.parametrize(
    "change",
    [
        {"items": []},
        {"items": [{"product_id": "x", "quantity": 1}]},
        {"shipping_address": {**ADDRESS, "postal_code": "ABC"}},
        {"shipping_address": {**ADDRESS, "phone": "call me"}},
        {"shipping_address": {k: v for k, v in ADDRESS.items() if k != "district"}},
        {"courier": "JNE REG!"},
        {"store_id": "not-a-uuid"},
    ],
)
def test_bad_order_input_is_400(buyer_client, product, change):
    body = order_body(product)
    body.update(change)
    response = buyer_client.post(ORDERS, body, format="json")
    assert response.status_code == 400
    assert response.json()["meta"]["fields"]
    assert not Order.objects.exists()


def test_negative_quantity_is_400(buyer_client, product):
    response = buyer_client.post(ORDERS, order_body(product, -1), format="json")
    assert response.status_code == 400


def test_unknown_courier_is_400_and_nothing_stays(buyer_client, product):
    response = buyer_client.post(ORDERS, order_body(product, courier="kurirantah"), format="json")
    assert response.status_code == 400
    assert not Order.objects.exists() and stock(product) == 10


@pytest.mark.parametrize(
    ("promo", "reason"),
    [
        ({"ends_at_days": -1}, "expired"),
        ({"starts_at_days": 2}, "not started"),
        ({"usage_limit": 1, "used_count": 1}, "used up"),
        ({"min_order": 100_000}, "minimum order of Rp 100.000"),
        ({"is_active": False}, "not active"),
    ],
)
def test_promo_rejections_say_why(buyer_client, product, promo, reason):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    extra = {k: v for k, v in promo.items() if not k.endswith("_days")}
    if "ends_at_days" in promo:
        extra.update(starts_at=now - timedelta(days=5), ends_at=now + timedelta(days=promo["ends_at_days"]))
    if "starts_at_days" in promo:
        extra.update(starts_at=now + timedelta(days=2), ends_at=now + timedelta(days=5))
    make_promo(store=product.store, code="COBA", **extra)
    response = buyer_client.post(ORDERS, order_body(product, promo_code="coba"), format="json")
    assert response.status_code == 400
    assert reason in response.json()["error"]
    assert not Order.objects.exists() and stock(product) == 10


def test_promo_of_another_store_is_400(buyer_client, product, other_seller):
    make_promo(store=other_seller.store, code="TOKOLAIN")
    response = buyer_client.post(ORDERS, order_body(product, promo_code="TOKOLAIN"), format="json")
    assert response.status_code == 400
    assert "another store" in response.json()["error"]


def test_per_buyer_limit(buyer_client, buyer, product):
    make_promo(store=product.store, code="SEKALI", per_buyer_limit=1)
    assert buyer_client.post(ORDERS, order_body(product, promo_code="sekali"), format="json").status_code == 201
    response = buyer_client.post(ORDERS, order_body(product, promo_code="sekali"), format="json")
    assert response.status_code == 400
    assert "maximum number of times" in response.json()["error"]
    other = client_for(quick_user())
    assert other.post(ORDERS, order_body(product, promo_code="sekali"), format="json").status_code == 201


def test_orders_are_for_shoppers_only(api_client, seller_client, admin_client_api, product):
    assert api_client.post(ORDERS, order_body(product), format="json").status_code == 401
    assert admin_client_api.post(ORDERS, order_body(product), format="json").status_code == 403
    # A seller shops in other stores; `product` is from her own, which is refused.
    own = seller_client.post(ORDERS, order_body(product), format="json")
    assert own.status_code == 400 and own.json()["meta"]["code"] == "own_store"


# --- Reading orders -----------------------------------------------------------------------


def test_order_detail_shape_and_owner_only(buyer_client, buyer, product):
    order = place(buyer=buyer, product=product, quantity=1).order
    data = buyer_client.get(f"{ORDERS}/{order.pk}").json()["data"]
    assert {
        "id",
        "status",
        "store",
        "items",
        "subtotal",
        "discount",
        "shipping_cost",
        "total",
        "payment",
        "shipment",
        "history",
    } <= set(data)
    assert set(data["payment"]) >= {"status", "qr_code", "payment_url", "expires_at"}
    assert data["history"][0]["to"] == "pending_payment"
    stranger = client_for(quick_user())
    assert stranger.get(f"{ORDERS}/{order.pk}").status_code == 404
    assert buyer_client.get(f"{ORDERS}/not-a-uuid").status_code == 404


def test_track_route(buyer_client, buyer, product):
    order = place(buyer=buyer, product=product).order
    data = buyer_client.get(f"{ORDERS}/{order.pk}/track").json()["data"]
    assert data["status"] == "pending_payment" and data["courier"] == "jne"
    assert client_for(quick_user()).get(f"{ORDERS}/{order.pk}/track").status_code == 404


def test_buyer_list_paginated_and_flat(buyer_client, buyer, product, django_assert_max_num_queries):
    place(buyer=buyer, product=product)
    with django_assert_max_num_queries(8):
        first = buyer_client.get(ORDERS)
    assert first.json()["meta"]["total"] == 1
    for _ in range(4):
        place(buyer=buyer, product=product)
    with django_assert_max_num_queries(8):
        response = buyer_client.get(f"{ORDERS}?limit=3")
    assert response.json()["meta"] == {"page": 1, "limit": 3, "total": 5}
    assert len(response.json()["data"]) == 3


# --- Seller -------------------------------------------------------------------------------


def test_seller_list_filters_and_is_flat(seller_client, product, django_assert_max_num_queries):
    buyers = [quick_user() for _ in range(6)]
    place(buyer=buyers[0], product=product)
    with django_assert_max_num_queries(8):
        assert seller_client.get("/api/seller/orders").json()["meta"]["total"] == 1
    orders = [place(buyer=b, product=product).order for b in buyers[1:]]
    from orders.services import order_cancel

    order_cancel(order=orders[0], reason="habis")
    with django_assert_max_num_queries(8):
        response = seller_client.get("/api/seller/orders")
    assert response.json()["meta"]["total"] == 6
    filtered = seller_client.get("/api/seller/orders?status=cancelled").json()
    assert filtered["meta"]["total"] == 1 and filtered["data"][0]["status"] == "cancelled"
    assert seller_client.get("/api/seller/orders?status=bogus").status_code == 400
    assert seller_client.get("/api/seller/orders?limit=1000").status_code == 400


def test_seller_sees_only_own_orders(other_seller_client, buyer, product):
    order = place(buyer=buyer, product=product).order
    assert other_seller_client.get("/api/seller/orders").json()["meta"]["total"] == 0
    for action in ("process", "ship", "cancel"):
        response = other_seller_client.post(f"/api/seller/orders/{order.pk}/{action}", {"awb": "JNE12345678"})
        assert response.status_code == 404
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT


def test_seller_flow_process_ship(seller_client, api_client, buyer, product):
    order = place(buyer=buyer, product=product).order
    # Not paid yet: processing is an illegal move.
    assert seller_client.post(f"/api/seller/orders/{order.pk}/process").status_code == 409
    api_client.post("/api/webhooks/midtrans", signed_notification(order, "settlement"), format="json")
    assert seller_client.post(f"/api/seller/orders/{order.pk}/process").json()["data"]["status"] == "processing"
    assert seller_client.post(f"/api/seller/orders/{order.pk}/ship", {"awb": "x"}, format="json").status_code == 400
    response = seller_client.post(f"/api/seller/orders/{order.pk}/ship", {"awb": "JNE0012345678"}, format="json")
    assert response.json()["data"]["status"] == "shipped"
    order.refresh_from_db()
    assert order.manual_awb == "JNE0012345678"
    assert list(order.history.values_list("to_status", flat=True)) == [
        "pending_payment",
        "paid",
        "processing",
        "shipped",
    ]
    assert seller_client.post(f"/api/seller/orders/{order.pk}/cancel").status_code == 409


def test_seller_cancel_pending_releases_stock_and_promo(seller_client, buyer, product):
    promo = make_promo(store=product.store, code="BALIK")
    order = place(buyer=buyer, product=product, quantity=4, promo_code="balik").order
    assert stock(product) == 6
    response = seller_client.post(f"/api/seller/orders/{order.pk}/cancel", {"reason": "toko tutup"}, format="json")
    assert response.json()["data"] == {"id": str(order.pk), "status": "cancelled", "needs_refund": False}
    promo.refresh_from_db()
    assert stock(product) == 10 and promo.used_count == 0
    assert order.history.last().cause == "Cancelled by the seller: toko tutup"


def test_seller_cancel_paid_flags_refund(seller_client, api_client, buyer, product):
    order = place(buyer=buyer, product=product, quantity=2).order
    api_client.post("/api/webhooks/midtrans", signed_notification(order, "settlement"), format="json")
    response = seller_client.post(f"/api/seller/orders/{order.pk}/cancel", {"reason": "rusak"}, format="json")
    assert response.json()["data"]["needs_refund"] is True
    assert stock(product) == 10


def test_detail_and_track_read_the_booked_shipment(buyer_client, seller_client, buyer, product):
    from django.utils import timezone

    from shipping.models import Shipment, ShipmentEvent

    order = place(buyer=buyer, product=product).order
    shipment = Shipment.objects.create(
        order=order, provider="simulator", courier="jne", service="REG", awb="JNE000111222", status="shipped"
    )
    ShipmentEvent.objects.create(
        shipment=shipment,
        status="shipped",
        description="Paket dibawa kurir",
        occurred_at=timezone.now(),
        dedupe_key="k1",
    )
    track = buyer_client.get(f"{ORDERS}/{order.pk}/track").json()["data"]
    assert track["awb"] == "JNE000111222" and track["shipment_status"] == "shipped"
    assert [e["description"] for e in track["events"]] == ["Paket dibawa kurir"]
    detail = buyer_client.get(f"{ORDERS}/{order.pk}").json()["data"]
    assert detail["shipment"]["service"] == "REG" and len(detail["shipment"]["events"]) == 1
    # Booked automatically: the seller cannot type another AWB over it.
    Order.objects.filter(pk=order.pk).update(status=Order.Status.PAID)
    response = seller_client.post(f"/api/seller/orders/{order.pk}/ship", {"awb": "LAIN12345678"}, format="json")
    assert response.status_code == 409


def test_detail_query_count_flat(buyer_client, buyer, product, django_assert_max_num_queries):
    order = place(buyer=buyer, product=product).order
    with django_assert_max_num_queries(9):
        buyer_client.get(f"{ORDERS}/{order.pk}")
