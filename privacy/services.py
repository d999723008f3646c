"""Personal data writes (UU 27/2022): deleting an account by anonymising the person.

Orders are the seller's books (and the platform's): they keep their amounts, item snapshots
and history, and lose who the buyer was (name, phone and street address of the shipping
address; the district and city stay, they say where the parcel went, not who lives there).
The account row stays as an anonymous, inactive user so the orders keep pointing somewhere.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import SavedAddress, User
from accounts.realtime import auth_sockets_close
from accounts.services import user_revoke_all_tokens
from audit.models import AuditLog
from audit.services import audit_record
from orders.models import CartItem, Order
from orders.services import order_cancel
from privacy.selectors import open_orders_blocking_deletion
from shipping.models import ShipmentEvent, ShippingSettings
from stores.models import Store
from tokoblitar.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tokoblitar.events import publish

# What replaces a person's name and street address in what we keep. A dash, not a word: the
# orders are read on pages in either language.
ANONYMISED = "—"
ANONYMISED_EMAIL_DOMAIN = "deleted.invalid"  # RFC 2606: never delivered anywhere


def anonymised_email(user: User) -> str:
    """The unique, undeliverable address a deleted account keeps (`deleted-<id>@deleted.invalid`)."""
    return f"deleted-{user.pk}@{ANONYMISED_EMAIL_DOMAIN}"


def _anonymise_orders(user: User) -> int:
    """Strip the person from the shipping address of every order she placed; amounts, items
    and history stay. Returns how many orders were kept."""
    orders = list(Order.objects.filter(buyer=user).only("pk", "shipping_address"))
    for order in orders:
        address = dict(order.shipping_address or {})
        address.update(name=ANONYMISED, phone="", address=ANONYMISED)
        order.shipping_address = address
    Order.objects.bulk_update(orders, ["shipping_address"], batch_size=500)
    return len(orders)


# What a courier callback row (ShipmentEvent.raw) keeps of a deleted buyer's parcel: the tracking
# facts. Anything else a courier sent (receiver name and phone, address, who signed for it, a
# free-text reason that may name someone) is dropped; the event's `description` and `status`,
# the tracking text shown on the order, stay as they are.
SHIPMENT_RAW_KEPT = frozenset(
    {
        "method",
        "order_id",
        "awb",
        "status",
        "courier",
        "service",
        "pickup_number",
        "shipped_at",
        "finished_at",
        "canceled_at",
        "returned_at",
    }
)


def _scrub_shipment_events(user: User) -> int:
    """Strip personal data from the courier callbacks stored for her orders; returns how many
    rows changed."""
    events = list(ShipmentEvent.objects.filter(shipment__order__buyer=user).only("pk", "raw"))
    changed = []
    for event in events:
        raw = event.raw if isinstance(event.raw, dict) else {}
        kept = {key: value for key, value in raw.items() if key in SHIPMENT_RAW_KEPT}
        if kept != event.raw:
            event.raw = kept
            changed.append(event)
    ShipmentEvent.objects.bulk_update(changed, ["raw"], batch_size=500)
    return len(changed)


def _close_store(user: User) -> bool:
    """A deleted seller's store closes (hidden with its products, no new orders); its pickup
    contact, which names the person, is cleared. Returns whether she had a store."""
    store = Store.objects.select_for_update().filter(owner=user).first()
    if store is None:
        return False
    store.is_active = False
    store.suspended_at = store.suspended_at or timezone.now()
    store.suspension_reason = "account deleted"
    store.save(update_fields=["is_active", "suspended_at", "suspension_reason", "updated_at"])
    ShippingSettings.objects.filter(store=store).update(pickup_name="", pickup_phone="", pickup_address="")
    return True


def account_delete(*, actor: User, password: str, request: HttpRequest | None = None) -> dict:
    """Entry service: `actor` deletes her own account, confirming with her password.

    Refuses while orders need finishing (Conflict `account_has_open_orders`, `meta.orders` =
    [{id, number, status, as}], see privacy.selectors.open_orders_blocking_deletion). Otherwise, in
    one transaction: her unpaid orders and her store's unpaid orders are cancelled (stock goes
    back), the store closes, her addresses and cart are deleted, her orders' shipping name,
    phone and street are replaced, and the user row becomes an anonymous inactive account
    without a usable password (sign-in and password reset refuse it; every session ends with
    the password hash). The courier callbacks of her orders keep only their tracking facts
    (SHIPMENT_RAW_KEPT). Her API tokens are revoked and her sockets closed; the audit trail
    records the deletion and her past entries keep only the anonymous address; apps erase what
    they keep of her on `account.deleted` (notifications: hers and her preferences).

    Returns {orders_kept, orders_cancelled, addresses_removed, store_closed}.
    PermissionDenied (`admin_account`) for platform admins; ValidationFailed (`wrong_password`);
    NotFound (`account_deleted`) when the account is already gone."""
    if actor.is_platform_admin or actor.is_superuser:
        raise PermissionDenied(_("Platform admin accounts cannot delete themselves"), code="admin_account")
    if not actor.check_password(password):
        message = _("The password is wrong")
        raise ValidationFailed(message, code="wrong_password", fields={"password": [message]})
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=actor.pk, is_active=True).first()
        if user is None:
            raise NotFound(_("This account has already been deleted"), code="account_deleted")
        blocking = open_orders_blocking_deletion(user=user)
        if blocking:
            raise Conflict(
                _("Finish these orders before deleting your account: %(orders)s"),
                code="account_has_open_orders",
                params={"orders": ", ".join(row["number"] for row in blocking)},
                meta={"orders": blocking},
            )
        store_closed = _close_store(user)
        unpaid = Order.objects.filter(Q(buyer=user) | Q(store__owner=user), status=Order.Status.PENDING_PAYMENT)
        cancelled = 0
        for order in unpaid.order_by("pk"):
            by = "buyer" if order.buyer_id == user.pk else "seller"
            order_cancel(order=order, reason="account deleted", by=by)
            cancelled += 1
        orders_kept = _anonymise_orders(user)
        _scrub_shipment_events(user)
        addresses_removed, _by_model = SavedAddress.objects.filter(user=user).delete()
        CartItem.objects.filter(buyer=user).delete()

        user.email = anonymised_email(user)
        user.full_name = ANONYMISED
        user.phone = ""
        user.is_active = False
        user.set_unusable_password()
        user.save(update_fields=["email", "full_name", "phone", "is_active", "password"])
        user_revoke_all_tokens(user=user)
        AuditLog.objects.filter(actor=user).update(actor_email=user.email)
        summary = {
            "orders_kept": orders_kept,
            "orders_cancelled": cancelled,
            "addresses_removed": addresses_removed,
            "store_closed": store_closed,
        }
        audit_record(actor=user, action="account.delete", target=user, before=None, after=summary, request=request)
        user_id = user.pk
        transaction.on_commit(lambda: auth_sockets_close(user_id=user_id))
        # Apps in other layers (notifications) erase what they keep about her on this event.
        publish("account.deleted", user_id=str(user_id))
    return summary
