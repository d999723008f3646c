"""Personal data (UU 27/2022): export of one's own data, deletion by anonymisation."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import Client
from knox.models import AuthToken

from accounts.models import SavedAddress, User
from accounts.services import saved_address_create
from audit.models import AuditLog
from conftest import PASSWORD, client_for, make_user
from orders.models import Order
from orders.tests.factories import make_product, place
from privacy.selectors import personal_data_export
from privacy.services import account_delete
from tokoblitar.errors import Conflict, PermissionDenied, ValidationFailed
from tokoblitar.events import capture_events

pytestmark = pytest.mark.django_db

HOME = {
    "name": "Siti Aminah",
    "phone": "081234567890",
    "address": "Jl. Merdeka No. 12, RT 02 RW 03",
    "district_id": 357203,
    "district": "Sananwetan",
    "city": "Kota Blitar",
    "postal_code": "66137",
}


def _signed_in(user) -> Client:
    client = Client()
    assert client.login(email=user.email, password=PASSWORD)
    return client


def _set_status(order: Order, status: str) -> None:
    Order.objects.filter(pk=order.pk).update(status=status)


@pytest.fixture
def siti(db) -> User:
    user = make_user("buyer", email="siti@contoh.id", full_name="Siti Aminah")
    saved_address_create(actor=user, address=dict(HOME), label="Rumah")
    return user


# --- Export ---------------------------------------------------------------------------------


def test_export_has_profile_addresses_and_orders_and_nobody_elses(siti, product, seller):
    mine = place(buyer=siti, product=product, quantity=2).order
    other_buyer = make_user("buyer", email="budi@contoh.id", full_name="Budi Santoso")
    theirs = place(buyer=other_buyer, product=product).order
    saved_address_create(actor=other_buyer, address={**HOME, "name": "Budi Santoso"}, label="Kantor")

    body = _signed_in(siti).get("/akun/data-saya/")
    assert body.status_code == 200
    assert body["Content-Disposition"].startswith('attachment; filename="tokoblitar-data-saya-')
    data = json.loads(body.content)

    assert data["profile"]["email"] == "siti@contoh.id"
    assert data["profile"]["full_name"] == "Siti Aminah"
    assert [a["label"] for a in data["addresses"]] == ["Rumah"]
    assert [o["number"] for o in data["orders"]] == [mine.number]
    order = data["orders"][0]
    assert order["total"] == mine.total and order["items"][0]["quantity"] == 2
    assert order["shipping_address"]["name"] == "Siti Aminah"
    assert order["history"][0]["to_status"] == "pending_payment"
    assert data["store"] is None and data["messages"] == []
    text = body.content.decode()
    assert theirs.number not in text and "Budi" not in text and "Kantor" not in text


def test_seller_export_has_her_store_but_not_her_buyers(seller, product, siti):
    place(buyer=siti, product=product)
    data = personal_data_export(user=seller)
    assert data["store"]["slug"] == seller.store.slug
    assert data["orders"] == []
    assert "Siti" not in json.dumps(data)


def test_export_api_in_the_envelope_and_documented(siti, product, api_client):
    place(buyer=siti, product=product)
    response = client_for(siti).get("/api/account/export")
    assert response.status_code == 200
    body = response.json()
    assert body["error"] is None and body["data"]["profile"]["email"] == "siti@contoh.id"
    assert len(body["data"]["orders"]) == 1
    assert api_client.get("/api/account/export").status_code == 401
    schema = api_client.get("/api/schema", HTTP_ACCEPT="application/json").json()
    assert "/api/account/export" in schema["paths"] and "/api/account/delete" in schema["paths"]


def test_export_query_count_is_flat(siti, product, django_assert_num_queries):
    place(buyer=siti, product=product)
    # 6 of our own + her notifications and preferences (no phone: no WhatsApp lookup).
    with django_assert_num_queries(8):
        personal_data_export(user=siti)
    for _ in range(3):
        place(buyer=siti, product=make_product(store=product.store))
    with django_assert_num_queries(8):
        data = personal_data_export(user=siti)
    assert len(data["orders"]) == 4


# --- Deletion -------------------------------------------------------------------------------


def test_deletion_keeps_order_totals_and_removes_personal_fields(siti, product):
    order = place(buyer=siti, product=product, quantity=2).order
    _set_status(order, Order.Status.COMPLETED)
    totals = (order.subtotal, order.discount, order.shipping_cost, order.total)
    client = _signed_in(siti)
    user_issue_token_count = AuthToken.objects.filter(user=siti).count()
    api = client_for(siti)
    assert AuthToken.objects.filter(user=siti).count() == user_issue_token_count + 1

    response = client.post("/akun/hapus/", {"password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"

    order.refresh_from_db()
    assert (order.subtotal, order.discount, order.shipping_cost, order.total) == totals
    item = order.items.get()
    assert (item.product_name, item.price, item.quantity) == (product.name, product.price, 2)
    assert order.shipping_address["name"] != "Siti Aminah"
    assert order.shipping_address["phone"] == ""
    assert "Merdeka" not in order.shipping_address["address"]
    assert order.shipping_address["city"] == "Kota Blitar"  # where it went, not who lives there

    siti.refresh_from_db()
    assert "siti" not in siti.email and siti.full_name != "Siti Aminah" and siti.phone == ""
    assert not siti.is_active and not siti.has_usable_password()
    assert not SavedAddress.objects.filter(user=siti).exists()
    assert not AuthToken.objects.filter(user=siti).exists()
    assert api.get("/api/account/export").status_code == 401
    assert client.get("/akun/").status_code == 302  # this session ended too

    # She can no longer sign in, nor reset her way back in.
    assert Client().post("/login/", {"username": "siti@contoh.id", "password": PASSWORD}).status_code == 400
    from django.core import mail

    Client().post("/akun/lupa-kata-sandi/", {"email": "siti@contoh.id"})
    assert mail.outbox == []

    entry = AuditLog.objects.get(action="account.delete")
    assert entry.target_id == str(siti.pk) and entry.after["orders_kept"] == 1
    assert "siti@contoh.id" not in json.dumps([entry.actor_email, entry.target_repr, entry.after])


def test_deletion_cancels_unpaid_orders_and_returns_stock(siti, product, django_capture_on_commit_callbacks):
    stock = product.stock
    order = place(buyer=siti, product=product, quantity=3).order
    product.refresh_from_db()
    assert product.stock == stock - 3
    with capture_events() as events, django_capture_on_commit_callbacks(execute=True):
        summary = account_delete(actor=siti, password=PASSWORD)
    assert ("account.deleted", {"user_id": str(siti.pk)}) in [(e.name, e.payload) for e in events]
    assert summary["orders_cancelled"] == 1
    order.refresh_from_db()
    product.refresh_from_db()
    assert order.status == Order.Status.CANCELLED and product.stock == stock


@pytest.mark.parametrize("status", ["paid", "processing", "shipped"])
def test_seller_with_open_orders_is_told_what_to_finish(seller, product, siti, status):
    order = place(buyer=siti, product=product).order
    _set_status(order, status)
    done = place(buyer=siti, product=make_product(store=product.store)).order
    _set_status(done, Order.Status.COMPLETED)

    response = client_for(seller).post("/api/account/delete", {"password": PASSWORD}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["meta"]["code"] == "account_has_open_orders"
    assert body["meta"]["orders"] == [{"id": str(order.pk), "number": order.number, "status": status, "as": "seller"}]
    assert order.number in body["error"]
    seller.refresh_from_db()
    assert seller.is_active and seller.email.endswith("@contoh.id")

    page = _signed_in(seller).post("/akun/hapus/", {"password": PASSWORD})
    assert page.status_code == 409
    html = page.content.decode()
    assert order.number in html and done.number not in html
    assert "Selesaikan pesanan ini dulu" in html


def test_seller_without_open_orders_is_deleted_and_her_store_closes(seller, product, siti):
    order = place(buyer=siti, product=product).order
    _set_status(order, Order.Status.COMPLETED)
    response = client_for(seller).post("/api/account/delete", {"password": PASSWORD}, format="json")
    assert response.status_code == 200
    assert response.json()["data"]["store_closed"] is True
    seller.store.refresh_from_db()
    assert not seller.store.is_active
    order.refresh_from_db()
    assert order.store_id == seller.store.pk and order.total > 0  # the books stay


def test_deletion_refusals(siti, admin_user):
    with pytest.raises(ValidationFailed) as wrong:
        account_delete(actor=siti, password="bukan-ini")
    assert wrong.value.code == "wrong_password"
    with pytest.raises(PermissionDenied):
        account_delete(actor=admin_user, password=PASSWORD)
    siti.refresh_from_db()
    assert siti.is_active and siti.email == "siti@contoh.id"
    page = _signed_in(siti).post("/akun/hapus/", {"password": "bukan-ini"})
    assert page.status_code == 400 and "Kata sandi salah" in page.content.decode()


def test_buyer_whose_parcel_is_on_its_way_must_wait(siti, product):
    order = place(buyer=siti, product=product).order
    _set_status(order, Order.Status.SHIPPED)
    with pytest.raises(Conflict) as exc:
        account_delete(actor=siti, password=PASSWORD)
    assert exc.value.meta["orders"][0]["as"] == "buyer"


def test_delete_page_in_english(siti):
    client = _signed_in(siti)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.post("/akun/hapus/", {"password": "bukan-ini"}).content.decode()
    assert "The password is wrong" in html and "Kata sandi salah" not in html
