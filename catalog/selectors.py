"""Reads for the catalogue."""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from catalog.models import Category, Product, ProductImage
from catalog.search import Sort, product_search  # noqa: F401 - re-exported for pages
from stores.models import Store
from tokoblitar.errors import NotFound


def category_list() -> QuerySet[Category]:
    return Category.objects.order_by("position", "name")


def product_list_for_seller(*, store: Store, status: str | None = None, search: str | None = None) -> QuerySet[Product]:
    """The store's living products (drafts and archived included), newest first, images prefetched."""
    qs = (
        Product.objects.alive()
        .filter(store=store)
        .defer("search_vector")
        .prefetch_related("images")
        .order_by("-created_at", "-id")
    )
    if status:
        qs = qs.filter(status=status)
    if search:
        qs = qs.filter(name__icontains=search.strip())
    return qs


def product_get_for_seller(*, store: Store, product_id: UUID) -> Product:
    """One living product of this store; another store's or a deleted one is a 404 (no leak)."""
    product = product_list_for_seller(store=store).filter(pk=product_id).first()
    if product is None:
        raise NotFound(_("Product not found"), code="product_not_found")
    return product


def product_image_get_for_seller(*, product: Product, image_id: UUID) -> ProductImage:
    image = ProductImage.objects.filter(product=product, pk=image_id).first()
    if image is None:
        raise NotFound(_("Image not found"), code="image_not_found")
    return image
