"""Writes for the catalogue: products and their images."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from catalog.listing_cache import listing_changed
from catalog.models import Category, Product, ProductImage, ProductSlugHistory
from catalog.selectors import product_get_for_seller, product_image_get_for_seller
from catalog.stock import publish_stock_changed
from stores.models import Store
from stores.selectors import store_get_for_seller
from tokoblitar.errors import ValidationFailed
from tokoblitar.images import (  # noqa: F401 - limits re-exported
    IMAGE_MAX_DECODE_PIXELS,
    IMAGE_MAX_SIDE,
    image_delete_quietly,
    image_reencode,
    image_size,
    image_store,
)
from tokoblitar.renditions import rendition_names

MAX_IMAGES_PER_PRODUCT = 10
# What a seller's edit may change; `featured` is curation's (curation.services.product_set_featured).
UPDATABLE_FIELDS = ("name", "description", "price", "stock", "weight_gram", "category_id", "status")


def _unique_product_slug(*, store: Store, name: str, exclude_pk: UUID | None = None) -> str:
    base = (slugify(name) or "produk")[:200].strip("-") or "produk"
    taken_qs = Product.objects.filter(store=store, slug__startswith=base)
    if exclude_pk is not None:
        taken_qs = taken_qs.exclude(pk=exclude_pk)
    taken = set(taken_qs.values_list("slug", flat=True))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _check_category(category_id: UUID | None) -> None:
    if category_id is not None and not Category.objects.filter(pk=category_id).exists():
        raise ValidationFailed(
            _("Unknown category"),
            code="unknown_category",
            fields={"category_id": [_("This category does not exist")]},
        )


def _too_many_images(field: str) -> ValidationFailed:
    return ValidationFailed(
        _("Too many images"),
        code="too_many_images",
        params={"max": MAX_IMAGES_PER_PRODUCT},
        fields={field: [_("At most %(max)s images per product")]},
    )


def _media_name_from_ref(ref: str) -> str:
    """`/media/products/x.jpg`, an absolute URL to it, or `products/x.jpg` -> the storage name."""
    name = ref.strip()
    if "://" in name:
        name = name.split("://", 1)[1].split("/", 1)[-1]
        name = "/" + name
    media_url = settings.MEDIA_URL
    if name.startswith(media_url):
        name = name[len(media_url) :]
    return name.lstrip("/")


def _resolve_image_refs(*, store: Store, refs: Iterable[str]) -> list[str]:
    """Storage names of images this store already holds, in the order given.

    Only our own stored images are accepted (ids or URLs of the store's ProductImages):
    we never fetch a user-supplied URL, and never point at another store's files.
    """
    refs = list(refs)
    ids = {str(ref): uuid.UUID(str(ref)) for ref in refs if _is_uuid(ref)}
    names = {ref: _media_name_from_ref(ref) for ref in refs if str(ref) not in ids}
    owned = ProductImage.objects.filter(product__store=store)
    by_id = {str(pk): name for pk, name in owned.filter(pk__in=ids.values()).values_list("pk", "image")}
    known_names = set(owned.filter(image__in=names.values()).values_list("image", flat=True))
    resolved, unknown = [], []
    for ref in refs:
        key = str(ref)
        if key in ids:
            name = by_id.get(str(ids[key]))
        else:
            name = names[ref] if names[ref] in known_names else None
        if name is None:
            unknown.append(key)
        else:
            resolved.append(name)
    if unknown:
        raise ValidationFailed(
            _("Images must be ones already uploaded to this store"),
            code="unknown_image",
            params={"images": ", ".join(unknown[:5])},
            fields={"images": [_("Unknown image: %(images)s")]},
        )
    return resolved


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def product_create(
    *,
    store: Store,
    name: str,
    price: int,
    weight_gram: int,
    description: str = "",
    stock: int = 0,
    category_id: UUID | None = None,
    status: str = Product.Status.DRAFT,
    featured: bool = False,
    images: list[str] | None = None,
) -> Product:
    """A new product in the seller's store; `images` are ids/URLs of images the store already holds."""
    _check_category(category_id)
    image_names = _resolve_image_refs(store=store, refs=images) if images else []
    if len(image_names) > MAX_IMAGES_PER_PRODUCT:
        raise _too_many_images("images")
    product = Product(
        store=store,
        name=name,
        slug="placeholder",
        description=description,
        price=price,
        stock=stock,
        weight_gram=weight_gram,
        category_id=category_id,
        status=status,
        featured=featured,
    )
    product.full_clean(exclude=["store", "category", "slug"], validate_constraints=False)
    with transaction.atomic():
        product.slug = _unique_product_slug(store=store, name=name)
        product.save()
        # The same stored file as the referenced image: its size and renditions come along.
        known = {
            row["image"]: row
            for row in ProductImage.objects.filter(image__in=image_names).values(
                "image", "width", "height", "renditions_ready"
            )
        }
        ProductImage.objects.bulk_create(
            ProductImage(
                product=product,
                image=image_name,
                width=known[image_name]["width"],
                height=known[image_name]["height"],
                renditions_ready=known[image_name]["renditions_ready"],
                position=position,
            )
            for position, image_name in enumerate(image_names)
        )
    return product


def product_update(*, product: Product, data: dict[str, Any], stock_loaded: int | None = None) -> Product:
    """Partial update of the fields in `data` (keys from UPDATABLE_FIELDS); returns the fresh row.

    Takes the product row lock (SELECT ... FOR UPDATE) and writes only the fields whose value
    changes (`save(update_fields=...)`): buyers reserve and release stock concurrently with
    guarded UPDATEs, so a stale copy of the row must never be written back.

    Stock rule (relative, never 409): `stock_loaded` is the stock the edit form / API client
    saw when it loaded the product. When given, the seller's change is applied as a delta to
    what is in stock now: `new = data["stock"] + (current - stock_loaded)`, clamped at 0.
    An unchanged stock field (`data["stock"] == stock_loaded`) leaves stock alone, so fixing a
    typo never undoes reservations; loaded 5, set 10, 2 reserved meanwhile -> 8 (and 10 again
    if that order expires). Without `stock_loaded`, `data["stock"]` is set as given (the
    original API contract). Units: pieces. A rename moves the slug; the old one is kept in
    ProductSlugHistory so shared links answer a 301. Raises ValidationFailed (unknown field or
    category, field rules).
    """
    unknown = set(data) - set(UPDATABLE_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("Unknown fields"),
            code="unknown_field",
            fields={key: [_("This field cannot be changed")] for key in unknown},
        )
    if "category_id" in data:
        _check_category(data["category_id"])
    with transaction.atomic():
        product = Product.objects.select_for_update().get(pk=product.pk)
        values = dict(data)
        if "stock" in values and stock_loaded is not None:
            values["stock"] = max(0, product.stock + values["stock"] - stock_loaded)
        changed = [key for key, value in values.items() if getattr(product, key) != value]
        for key in changed:
            setattr(product, key, values[key])
        product.full_clean(exclude=["store", "category", "slug"], validate_constraints=False)
        if "name" in changed:
            old_slug = product.slug
            product.slug = _unique_product_slug(store=product.store, name=product.name, exclude_pk=product.pk)
            if product.slug != old_slug:
                changed.append("slug")
                _product_slug_retire(product=product, old_slug=old_slug)
        if changed:
            product.save(update_fields=[*changed, "updated_at"])
        if {"stock", "status"} & set(changed):
            # The sellable stock changed (a new number, or a status that hides the product):
            # listeners such as the marketplace push read it after commit.
            publish_stock_changed(product.pk, product.store_id)
    return product


def _product_slug_retire(*, product: Product, old_slug: str) -> None:
    """Remember `old_slug` so links shared before the rename answer a 301 to the new address
    (storefront.selectors.product_get_public). The new slug is live again: any old row for it
    (this or another product of the store) would only shadow it, so it goes."""
    ProductSlugHistory.objects.update_or_create(
        store_id=product.store_id,
        slug=old_slug,
        defaults={"product": product, "retired_at": timezone.now()},
    )
    ProductSlugHistory.objects.filter(store_id=product.store_id, slug=product.slug).delete()


def product_soft_delete(*, product: Product) -> Product:
    """Hide the product everywhere; orders keep their snapshot, the row stays for history."""
    with transaction.atomic():
        product = Product.objects.select_for_update().get(pk=product.pk)
        if product.deleted_at is None:
            product.deleted_at = timezone.now()
            product.save(update_fields=["deleted_at", "updated_at"])
            publish_stock_changed(product.pk, product.store_id)  # nothing left to sell anywhere
    return product


def product_image_add(*, product: Product, upload: UploadedFile) -> ProductImage:
    """Store an uploaded photo for the product (validated, re-encoded JPEG), appended last.

    Raises ValidationFailed (not an image, too large in bytes or pixels, product already
    holds MAX_IMAGES_PER_PRODUCT) and Conflict (code "busy": every decode slot stayed taken
    for IMAGE_DECODE_WAIT_SECONDS). Cheap checks run before the decode; the count is
    checked again under the product lock.
    """
    if ProductImage.objects.filter(product=product).count() >= MAX_IMAGES_PER_PRODUCT:
        raise _too_many_images("image")
    data = image_reencode(upload)
    width, height = image_size(data)
    with transaction.atomic():
        # Lock the product so two uploads cannot both take the last free slot or position.
        product = Product.objects.select_for_update().get(pk=product.pk)
        current = ProductImage.objects.filter(product=product).aggregate(n=Max("position"), count=Count("pk"))
        if current["count"] >= MAX_IMAGES_PER_PRODUCT:
            raise _too_many_images("image")
        position = 0 if current["n"] is None else current["n"] + 1
        field = ProductImage._meta.get_field("image")
        # The file first, the row after: a failing storage (ProviderError, 502) leaves no row.
        name = image_store(
            storage=field.storage,
            name=field.generate_filename(None, f"{product.slug[:60] or 'produk'}-{uuid.uuid4().hex[:12]}.jpg"),
            data=data,
        )
        # Built with its name and size: no read-back of the file to learn its dimensions.
        image = ProductImage(
            product=product, image=name, width=width, height=height, position=position, alt_text=product.name[:200]
        )
        try:
            image.save()
        except Exception:
            # The row failed: do not leave an orphan file behind.
            field.storage.delete(name)
            raise
        Product.objects.filter(pk=product.pk).update(updated_at=timezone.now())
        # Web-sized renditions are drawn by the task worker once this commits.
        image.image.update_all()
    return image


def product_image_delete(*, image: ProductImage) -> None:
    """Remove the image row; the file and its renditions go too unless another product still
    shows it. Storage failures after the row is gone are logged (orphan files), not raised."""
    name = image.image.name
    storage = image.image.storage
    renditions = rendition_names(image.image)
    with transaction.atomic():
        image.delete()
        still_used = ProductImage.objects.filter(image=name).exists()
        Product.objects.filter(pk=image.product_id).update(updated_at=timezone.now())
    if not still_used and name:
        image_delete_quietly(storage=storage, names=[*renditions, name])


def product_images_mark_rendered(*, file_name: str) -> int:
    """Every image row showing `file_name` now has its renditions; answers the rows changed."""
    changed = ProductImage.objects.filter(image=file_name, width__isnull=False).update(renditions_ready=True)
    if changed:
        listing_changed()
    return changed


# --- Entry services: the acting seller, scoped to her store --------------------------------
# The API, the dashboard and the assistant's tools call these: another store's product is a
# 404, and a product with its first photos is saved whole or not at all.


def _seller_store(actor: User) -> Store:
    return store_get_for_seller(user=actor)


def seller_product_create(*, actor: User, uploads: Iterable[UploadedFile] = (), **data: Any) -> Product:
    """Create a product in the actor's store with its uploaded photos, all or nothing: a
    rejected photo (ValidationFailed naming it) leaves no product behind. NotFound when the
    actor has no store."""
    store = _seller_store(actor)
    with transaction.atomic():
        product = product_create(store=store, **data)
        for upload in uploads:
            product_image_add(product=product, upload=upload)
    return product


def seller_product_update(
    *,
    actor: User,
    product_id: UUID,
    data: dict[str, Any],
    stock_loaded: int | None = None,
    uploads: Iterable[UploadedFile] = (),
) -> Product:
    """Partial update of one of the actor's products (see `product_update` for the stock
    rule), with new photos in the same transaction: a rejected photo undoes the edit."""
    product = product_get_for_seller(store=_seller_store(actor), product_id=product_id)
    with transaction.atomic():
        product = product_update(product=product, data=data, stock_loaded=stock_loaded)
        for upload in uploads:
            product_image_add(product=product, upload=upload)
    return product


def seller_product_delete(*, actor: User, product_id: UUID) -> Product:
    """Soft-delete one of the actor's products."""
    product = product_get_for_seller(store=_seller_store(actor), product_id=product_id)
    return product_soft_delete(product=product)


def seller_product_image_add(*, actor: User, product_id: UUID, upload: UploadedFile) -> ProductImage:
    """Add a photo to one of the actor's products (validated, re-encoded, EXIF stripped)."""
    product = product_get_for_seller(store=_seller_store(actor), product_id=product_id)
    return product_image_add(product=product, upload=upload)


def seller_product_image_delete(*, actor: User, product_id: UUID, image_id: UUID) -> None:
    """Delete one photo of one of the actor's products."""
    product = product_get_for_seller(store=_seller_store(actor), product_id=product_id)
    product_image_delete(image=product_image_get_for_seller(product=product, image_id=image_id))
