"""Order notifications: stored once per (event, recipient), emailed by the worker in the
recipient's language, replay-proof, shown in the bell and the list page."""

from __future__ import annotations

import socket

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from conftest import PASSWORD
from notifications.models import Kind, Notification, NotificationPreference
from notifications.services import notification_email_deliver, order_notify
from notifications.tests.helpers import run_tasks
from orders.models import Order
from orders.tests.factories import place, signed_notification
from shipping.models import Shipment
from tokoblitar.money import format_rupiah

pytestmark = pytest.mark.django_db


def _pay_by_webhook(client, order: Order, capture) -> dict:
    with capture(execute=True):
        response = client.post("/api/webhooks/midtrans", signed_notification(order, "settlement"), format="json")
    assert response.status_code == 200
    return response.json()["data"]


def test_paid_order_emails_seller_and_buyer_in_indonesian(
    api_client, buyer, seller, product, django_capture_on_commit_callbacks, mailoutbox
):
    order = place(buyer=buyer, product=product, quantity=2).order
    assert _pay_by_webhook(api_client, order, django_capture_on_commit_callbacks) == {"outcome": "paid"}
    run_tasks(django_capture_on_commit_callbacks)

    assert sorted(m.to[0] for m in mailoutbox) == sorted([buyer.email, seller.email])
    to_seller = next(m for m in mailoutbox if m.to == [seller.email])
    to_buyer = next(m for m in mailoutbox if m.to == [buyer.email])
    # Indonesian by default, money as "Rp 25.000", times in WIB, what to pack with quantities.
    assert to_seller.subject.startswith(f"Pesanan baru {order.number} sudah dibayar")
    assert "WIB" in to_seller.subject
    assert format_rupiah(order.total) in to_seller.body
    assert f"- {product.name} x2" in to_seller.body
    assert f"/dashboard/pesanan/{order.pk}/" in to_seller.body
    html, mimetype = to_seller.alternatives[0]
    assert mimetype == "text/html" and "&times; 2" in html and product.name in html
    assert to_buyer.subject == f"Pembayaran untuk pesanan {order.number} diterima"
    assert f"/pesanan/{order.pk}/" in to_buyer.body and "Halo" in to_buyer.body
    assert set(Notification.objects.values_list("kind", "email_state")) == {
        (Kind.SELLER_ORDER_PAID, "sent"),
        (Kind.BUYER_PAYMENT_RECEIVED, "sent"),
    }


def test_replayed_settlement_webhook_never_emails_twice(
    api_client, buyer, seller, product, django_capture_on_commit_callbacks, mailoutbox
):
    order = place(buyer=buyer, product=product).order
    _pay_by_webhook(api_client, order, django_capture_on_commit_callbacks)
    run_tasks(django_capture_on_commit_callbacks)
    assert _pay_by_webhook(api_client, order, django_capture_on_commit_callbacks) == {"outcome": "duplicate"}
    run_tasks(django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 2
    assert Notification.objects.count() == 2


def test_replayed_event_and_rerun_task_change_nothing(
    buyer, seller, product, django_capture_on_commit_callbacks, mailoutbox
):
    from tokoblitar.events import publish

    order = place(buyer=buyer, product=product).order
    for _ in range(2):  # the same event delivered twice (a re-run subscriber, a replayed callback)
        with django_capture_on_commit_callbacks(execute=True):
            publish("order.status_changed", order_id=str(order.pk), store_id=str(order.store_id),
                    from_status="pending_payment", to_status="paid", cause="test")  # fmt: skip
        run_tasks(django_capture_on_commit_callbacks)
    assert order_notify(order_id=str(order.pk), status="paid") == []
    assert len(mailoutbox) == 2
    assert Notification.objects.filter(event_key=f"order.paid:{order.pk}").count() == 2


def test_sent_email_is_not_sent_again_by_a_duplicate_task(
    buyer, product, django_capture_on_commit_callbacks, mailoutbox
):
    order = place(buyer=buyer, product=product).order
    with django_capture_on_commit_callbacks(execute=True):
        (note,) = order_notify(order_id=str(order.pk), status="expired")
    run_tasks(django_capture_on_commit_callbacks)
    assert notification_email_deliver(notification_id=str(note.pk)) == "skipped"
    assert len(mailoutbox) == 1


STATUS_EXPECTATIONS = {
    # status: (recipient, Indonesian subject start, English subject start, text that must be in the body)
    "paid": ("seller", "Pesanan baru", "New paid order", "x1"),
    "cancelled": ("seller", "Pesanan {n} dibatalkan", "Order {n} was cancelled", "dikembalikan|refunded"),
    "refunded": ("seller", "Dana pesanan {n} dikembalikan", "Order {n} was refunded", "{total}"),
    "shipped": ("buyer", "Pesanan {n} sedang dikirim", "Your order {n} is on its way", "JX123456789"),
    "delivered": ("buyer", "Pesanan {n} sudah sampai", "Order {n} has arrived", "/pesanan/{id}/"),
    "expired": ("buyer", "Pesanan {n} kedaluwarsa", "Order {n} expired", "/pesanan/{id}/"),
}


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("status", sorted(STATUS_EXPECTATIONS))
def test_each_notification_in_each_language(
    status, language, buyer, seller, product, django_capture_on_commit_callbacks, mailoutbox
):
    order = place(buyer=buyer, product=product).order
    Order.objects.filter(pk=order.pk).update(needs_refund=(status == "cancelled"))
    Shipment.objects.create(order=order, provider="simulator", courier="jne", awb="JX123456789", status="shipped")
    who, subject_id, subject_en, needle = STATUS_EXPECTATIONS[status]
    recipient = seller if who == "seller" else buyer
    NotificationPreference.objects.create(user=recipient, language=language)
    with django_capture_on_commit_callbacks(execute=True):
        notes = order_notify(order_id=str(order.pk), status=status)
    run_tasks(django_capture_on_commit_callbacks)
    (message,) = [m for m in mailoutbox if m.to == [recipient.email]]
    expected = (subject_id if language == "id" else subject_en).format(n=order.number)
    assert message.subject.startswith(expected), message.subject
    body = message.body
    options = needle.format(total=format_rupiah(order.total), id=order.pk).split("|")
    assert any(option in body for option in options), body
    assert ("Halo" if language == "id" else "Hello") in body
    html = message.alternatives[0][0]
    assert f'lang="{language}"' in html
    assert len(notes) >= 1


def test_email_preference_off_keeps_the_bell_but_sends_nothing(
    buyer, product, django_capture_on_commit_callbacks, mailoutbox
):
    NotificationPreference.objects.create(user=buyer, email={Kind.BUYER_ORDER_EXPIRED: False})
    order = place(buyer=buyer, product=product).order
    with django_capture_on_commit_callbacks(execute=True):
        order_notify(order_id=str(order.pk), status="expired")
    run_tasks(django_capture_on_commit_callbacks)
    assert mailoutbox == []
    note = Notification.objects.get(recipient=buyer)
    assert note.email_state == "none" and note.read_at is None


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_mail_server_down_retries_with_backoff_then_fails(settings, buyer, product, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _closed_port(), 2
    order = place(buyer=buyer, product=product).order
    with django_capture_on_commit_callbacks(execute=True):
        (note,) = order_notify(order_id=str(order.pk), status="expired")
    with django_capture_on_commit_callbacks(execute=True):
        assert notification_email_deliver(notification_id=str(note.pk), attempt=1) == "retrying"
    note.refresh_from_db()
    assert note.email_state == "pending" and note.email_attempts == 1 and note.email_error
    retry = DBTaskResult.objects.filter(task_path="notifications.tasks.notification_email_send").order_by(
        "-enqueued_at"
    )[0]
    assert retry.args_kwargs["kwargs"] == {"notification_id": str(note.pk), "attempt": 2}
    assert retry.run_after is not None
    assert notification_email_deliver(notification_id=str(note.pk), attempt=5) == "failed"
    note.refresh_from_db()
    assert note.email_state == "failed"


# --- Bell, list page, mark read --------------------------------------------------------------


def _client(user) -> Client:
    client = Client()
    assert client.post("/login/", {"username": user.email, "password": PASSWORD}).status_code == 302
    return client


def test_bell_shows_unread_count_and_list_marks_read(buyer, product, django_capture_on_commit_callbacks):
    orders = [place(buyer=buyer, product=product).order for _ in range(2)]
    for order in orders:
        order_notify(order_id=str(order.pk), status="expired")
    client = _client(buyer)
    page = client.get("/").content.decode()
    assert 'data-testid="bell-count"' in page and ">2</span>" in page
    listing = client.get("/notifikasi/")
    assert listing.status_code == 200
    text = listing.content.decode()
    assert f"Pesanan {orders[0].number} kedaluwarsa" in text
    note = Notification.objects.get(event_key=f"order.expired:{orders[0].pk}")
    opened = client.post(f"/notifikasi/{note.pk}/buka/")
    assert opened.status_code == 302 and opened["Location"] == f"/pesanan/{orders[0].pk}/"
    note.refresh_from_db()
    assert note.read_at is not None
    assert Notification.objects.filter(recipient=buyer, read_at__isnull=True).count() == 1
    assert client.post("/notifikasi/baca-semua/").status_code == 302
    assert not Notification.objects.filter(recipient=buyer, read_at__isnull=True).exists()
    assert 'data-testid="bell-count"' in client.get("/").content.decode()


def test_someone_elses_notification_is_not_found(buyer, seller, product):
    order = place(buyer=buyer, product=product).order
    (note,) = order_notify(order_id=str(order.pk), status="expired")
    response = _client(seller).post(f"/notifikasi/{note.pk}/buka/")
    assert response.status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_unread_count_is_one_query(buyer, product, django_assert_num_queries, rf):
    from notifications.context_processors import notifications

    for _ in range(3):
        order_notify(order_id=str(place(buyer=buyer, product=product).order.pk), status="expired")
    request = rf.get("/")
    request.user = buyer
    with django_assert_num_queries(1):
        assert notifications(request)["notifications_unread"]() == 3


def test_list_page_queries_flat(buyer, product, django_assert_max_num_queries):
    client = _client(buyer)
    order_notify(order_id=str(place(buyer=buyer, product=product).order.pk), status="expired")
    with django_assert_max_num_queries(12) as few:
        client.get("/notifikasi/")
    for _ in range(5):
        order_notify(order_id=str(place(buyer=buyer, product=product).order.pk), status="expired")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/notifikasi/").content.decode().count('data-kind="buyer_order_expired"') == 6


def test_preferences_page_saves_language_and_kinds(seller):
    client = _client(seller)
    page = client.get("/notifikasi/pengaturan/").content.decode()
    assert "email_seller_order_paid" in page
    response = client.post("/notifikasi/pengaturan/", {"language": "en", "email_seller_order_paid": "on"})
    assert response.status_code == 302
    pref = NotificationPreference.objects.get(user=seller)
    assert pref.language == "en"
    assert pref.wants_email(Kind.SELLER_ORDER_PAID) and not pref.wants_email(Kind.SELLER_ORDER_CANCELLED)


def test_preferences_page_refuses_bad_input_with_400_and_changes_nothing(seller):
    client = _client(seller)
    assert client.post("/notifikasi/pengaturan/", {"language": "en"}).status_code == 302
    response = client.post("/notifikasi/pengaturan/", {"language": "xx", "email_seller_order_paid": "on"})
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    pref = NotificationPreference.objects.get(user=seller)
    assert pref.language == "en" and not pref.wants_email(Kind.SELLER_ORDER_PAID)


def test_seller_hears_of_a_paid_order_cancelled_not_an_unpaid_one(
    buyer, seller, product, django_capture_on_commit_callbacks, mailoutbox
):
    from orders.services import order_cancel

    unpaid = place(buyer=buyer, product=product).order
    paid = place(buyer=buyer, product=product).order
    Order.objects.filter(pk=paid.pk).update(status=Order.Status.PAID)
    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order=unpaid, reason="salah pesan", by="buyer")
        order_cancel(order=paid, reason="stok habis")
    run_tasks(django_capture_on_commit_callbacks)
    (message,) = mailoutbox
    assert message.to == [seller.email] and paid.number in message.subject
    assert "dikembalikan" in message.body  # the paid money must go back


def test_unread_count_endpoint_for_the_bells_fallback(buyer, product):
    order_notify(order_id=str(place(buyer=buyer, product=product).order.pk), status="expired")
    response = _client(buyer).get("/notifikasi/jumlah/")
    assert response.status_code == 200 and response.json() == {"unread": 1}
    assert response["Cache-Control"] == "no-store"
    assert Client().get("/notifikasi/jumlah/").status_code == 302  # signed out: to the login page


def test_late_payment_that_needs_a_refund_tells_the_seller_once(
    api_client, buyer, seller, product, django_capture_on_commit_callbacks, mailoutbox
):
    """The order stays expired (no status change), yet the money must go back: the seller hears
    it once, in Indonesian, even when the settlement is replayed."""
    order = place(buyer=buyer, product=product, quantity=1).order
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post("/api/webhooks/midtrans", signed_notification(order, "expire"), format="json")
    run_tasks(django_capture_on_commit_callbacks)
    mailoutbox.clear()
    product.stock = 0  # sold meanwhile: the late payment cannot re-reserve it
    product.save(update_fields=["stock"])
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = api_client.post(
                "/api/webhooks/midtrans", signed_notification(order, "settlement"), format="json"
            )
        assert response.status_code == 200
        run_tasks(django_capture_on_commit_callbacks)
    order.refresh_from_db()
    assert order.status == Order.Status.EXPIRED and order.needs_refund
    assert [m.to for m in mailoutbox] == [[seller.email]]
    assert mailoutbox[0].subject == f"Dana pesanan {order.number} perlu dikembalikan"
    assert "setelah pesanan ditutup" in mailoutbox[0].body
    assert Notification.objects.filter(kind=Kind.SELLER_REFUND_NEEDED, recipient=seller).count() == 1
