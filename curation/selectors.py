"""Reads for admin curation and for the homepage (active banners, featured stores/products)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from audit.models import AuditLog
from catalog.models import Product
from catalog.search import first_image_prefetch
from curation.models import Banner
from stores.models import Store
from tokoblitar.errors import NotFound

STORE_FILTERS = ("active", "featured", "suspended")


def active_banners(*, limit: int = 10) -> list[Banner]:
    """Banners the homepage shows now, in position order (one query)."""
    return list(Banner.objects.live()[:limit])


def featured_store_list(*, limit: int = 12) -> QuerySet[Store]:
    """Featured stores buyers can see; suspended ones drop out at once."""
    return Store.objects.visible().filter(featured=True).order_by("-updated_at")[:limit]


def featured_product_list(*, limit: int = 12) -> QuerySet[Product]:
    return (
        Product.objects.public()
        .filter(featured=True)
        .select_related("store", "category")
        .prefetch_related(first_image_prefetch())
        .defer("search_vector")
        .order_by("-updated_at")[:limit]
    )


def store_list_for_admin(*, search: str = "", status: str = "") -> QuerySet[Store]:
    """Every store (suspended too) with its owner and live product count, in one query."""
    qs = Store.objects.select_related("owner").annotate(
        product_count=Count("products", filter=Q(products__deleted_at__isnull=True))
    )
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(slug__icontains=search) | Q(owner__email__icontains=search))
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "suspended":
        qs = qs.filter(is_active=False)
    elif status == "featured":
        qs = qs.filter(featured=True)
    return qs.order_by("-created_at", "pk")


def store_get_for_admin(*, store_id: UUID | Any) -> Store:
    store = Store.objects.select_related("owner").filter(pk=store_id).first()
    if store is None:
        raise NotFound(_("Store not found"), code="store_not_found")
    return store


def product_list_for_admin(*, search: str = "", featured: bool | None = None) -> QuerySet[Product]:
    """Live (not deleted) products of every store, suspended stores included."""
    qs = Product.objects.alive().select_related("store")
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(store__name__icontains=search))
    if featured is not None:
        qs = qs.filter(featured=featured)
    return qs.order_by("-created_at", "pk")


def product_get_for_admin(*, product_id: UUID | Any) -> Product:
    """A live product of any store; deleted products are gone for admins too."""
    product = Product.objects.alive().select_related("store").filter(pk=product_id).first()
    if product is None:
        raise NotFound(_("Product not found"), code="product_not_found")
    return product


def banner_list_for_admin() -> QuerySet[Banner]:
    return Banner.objects.order_by("position", "-created_at")


def banner_get_for_admin(*, banner_id: UUID | Any) -> Banner:
    banner = Banner.objects.filter(pk=banner_id).first()
    if banner is None:
        raise NotFound(_("Banner not found"), code="banner_not_found")
    return banner


def audit_list_for_admin(*, action: str = "", target_type: str = "") -> QuerySet[AuditLog]:
    qs = AuditLog.objects.select_related("actor")
    if action:
        qs = qs.filter(action=action)
    if target_type:
        qs = qs.filter(target_type=target_type)
    return qs


def audit_filter_values() -> tuple[list[str], list[str]]:
    """(action codes, target types) present in the log, each sorted: two queries whatever
    the log's size, for the admin panel's filter lists."""
    actions = list(AuditLog.objects.order_by("action").values_list("action", flat=True).distinct())
    targets = list(AuditLog.objects.order_by("target_type").values_list("target_type", flat=True).distinct())
    return actions, targets
