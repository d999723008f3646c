"""Reads the buyer-facing pages need beyond the catalogue/orders selectors.

Each returns rows with their relations loaded, so a page costs a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from catalog.models import Product, ProductImage
from catalog.search import first_image_prefetch
from orders.models import CartItem, Order
from orders.selectors import order_list_for_buyer
from shipping.models import Area
from stores.models import Store
from stores.selectors import store_moved_to
from tokoblitar.errors import NotFound


def store_get_visible(*, slug: str) -> Store:
    """A store buyers may see; unknown or suspended answers 404 (same page either way)."""
    store = Store.objects.visible().filter(slug=slug).first()
    if store is None:
        raise NotFound(_("Store not found"), code="store_not_found")
    return store


def store_get_visible_or_moved(*, slug: str) -> Store:
    """Like `store_get_visible`, but an old address (before a change of slug) finds the store
    too: the caller compares `store.slug` with what was asked and answers a 301."""
    try:
        return store_get_visible(slug=slug)
    except NotFound:
        current = store_moved_to(slug=slug)
        if current is None:
            raise
        return store_get_visible(slug=current)


def _public_product_qs():
    return (
        Product.objects.public()
        .select_related("store", "category")
        .prefetch_related(first_image_prefetch())
        .defer("search_vector")
    )


def product_get_public(*, store_slug: str, product_slug: str) -> Product:
    """The public product at `/p/<store_slug>/<product_slug>/` (one query, images prefetched).

    An old address (the store or the product renamed since the link was shared) finds the
    product at its current one: the caller compares slugs and answers a 301. NotFound else."""
    product = _public_product_qs().filter(store__slug=store_slug, slug=product_slug).first()
    if product is None:
        product = _product_moved(store_slug=store_slug, product_slug=product_slug)
    if product is None:
        raise NotFound(_("Product not found"), code="product_not_found")
    return product


def _product_moved(*, store_slug: str, product_slug: str) -> Product | None:
    """Only on a miss: follow the store's and the product's slug history (a few indexed queries)."""
    current_store_slug = store_slug
    if not Store.objects.filter(slug=store_slug).exists():
        current_store_slug = store_moved_to(slug=store_slug)
        if current_store_slug is None:
            return None
    qs = _public_product_qs().filter(store__slug=current_store_slug)
    return qs.filter(slug=product_slug).first() or qs.filter(slug_history__slug=product_slug).first()


def product_list_more_from_store(*, product: Product, limit: int = 4) -> list[Product]:
    return list(
        Product.objects.public()
        .filter(store_id=product.store_id)
        .exclude(pk=product.pk)
        .select_related("store")
        .prefetch_related(first_image_prefetch())
        .defer("search_vector", "description")
        .order_by("-featured", "-created_at")[:limit]
    )


@dataclass
class CartLine:
    product: Product
    quantity: int

    @property
    def line_total(self) -> int:
        return self.product.price * self.quantity


@dataclass
class CartGroup:
    store: Store
    lines: list[CartLine] = field(default_factory=list)

    @property
    def subtotal(self) -> int:
        return sum(line.line_total for line in self.lines)

    @property
    def weight_gram(self) -> int:
        return sum(line.product.weight_gram * line.quantity for line in self.lines)


def _group(lines: list[CartLine]) -> list[CartGroup]:
    groups: dict[UUID, CartGroup] = {}
    for line in lines:
        group = groups.setdefault(line.product.store_id, CartGroup(store=line.product.store))
        group.lines.append(line)
    return list(groups.values())


def cart_groups_for_buyer(*, buyer: User) -> list[CartGroup]:
    """The buyer's saved cart grouped by store (orders are per store), images prefetched."""
    items = (
        CartItem.objects.filter(buyer=buyer)
        .select_related("product__store")
        .prefetch_related(Prefetch("product__images", queryset=ProductImage.objects.order_by("position", "created_at")))
        .order_by("created_at", "id")
    )
    return _group([CartLine(product=item.product, quantity=item.quantity) for item in items])


def cart_groups_for_session(*, cart: dict[str, int]) -> list[CartGroup]:
    """A visitor's cart kept in the session until they log in (then it moves to the database)."""
    ids = [pid for pid in cart if _is_uuid(pid)]
    products = (
        Product.objects.filter(pk__in=ids)
        .select_related("store")
        .prefetch_related(first_image_prefetch())
        .defer("search_vector")
    )
    by_id = {str(p.pk): p for p in products}
    return _group([CartLine(product=by_id[pid], quantity=int(cart[pid])) for pid in ids if pid in by_id])


def cart_count_for_buyer(*, buyer: User) -> int:
    return CartItem.objects.filter(buyer=buyer).count()


def _is_uuid(value: str) -> bool:
    try:
        UUID(str(value))
    except ValueError:
        return False
    return True


# --- Orders and districts --------------------------------------------------------------

# "Pesanan saya" tabs: key -> (label, statuses). The empty key is "all".
ORDER_TABS: dict[str, tuple[object, tuple[str, ...]]] = {
    "": (_("Semua"), ()),
    "bayar": (_("Belum bayar"), (Order.Status.PENDING_PAYMENT,)),
    "dikemas": (_("Dikemas"), (Order.Status.PAID, Order.Status.PROCESSING)),
    "dikirim": (_("Dikirim"), (Order.Status.SHIPPED, Order.Status.DELIVERED)),
    "selesai": (_("Selesai"), (Order.Status.COMPLETED,)),
    "batal": (_("Dibatalkan"), (Order.Status.CANCELLED, Order.Status.EXPIRED, Order.Status.REFUNDED)),
}


def order_list_for_buyer_tab(*, buyer: User, tab: str = "") -> QuerySet[Order]:
    """The buyer's orders in one "Pesanan saya" tab (`ORDER_TABS` key; unknown = all), newest
    first, with store, payment and items loaded (constant queries)."""
    qs = order_list_for_buyer(buyer=buyer)
    statuses = ORDER_TABS.get(tab, ("", ()))[1]
    return qs.filter(status__in=statuses) if statuses else qs


def area_list_for_picker() -> list[Area]:
    """Every district we ship to, by province, city and name (one query): the destination list."""
    return list(Area.objects.order_by("province", "city", "name"))
