"""Writes for admin curation. Each service owns its transaction and writes its audit row
inside it, so a rolled-back change never leaves a trail entry behind (and vice versa)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.selectors import require_platform_admin
from audit.services import audit_record
from catalog.models import Product
from catalog.services import product_soft_delete
from catalog.stock import publish_stock_changed
from curation.models import Banner
from stores.flags import FEATURES
from stores.models import Store, StoreFeatureFlags
from tokoblitar.errors import Conflict, ValidationFailed

# --- Stores ------------------------------------------------------------------------------


def _store_snapshot(store: Store) -> dict:
    return {
        "is_active": store.is_active,
        "featured": store.featured,
        "suspended_at": store.suspended_at,
        "suspension_reason": store.suspension_reason,
    }


def store_set_featured(*, store: Store, featured: bool, actor: User, request: HttpRequest | None = None) -> Store:
    require_platform_admin(actor)
    with transaction.atomic():
        store = Store.objects.select_for_update().get(pk=store.pk)
        before = _store_snapshot(store)
        if store.featured != featured:
            store.featured = featured
            store.save(update_fields=["featured", "updated_at"])
        audit_record(
            actor=actor,
            action="store.feature" if featured else "store.unfeature",
            target=store,
            before=before,
            after=_store_snapshot(store),
            request=request,
        )
    return store


def store_suspend(*, store: Store, reason: str, actor: User, request: HttpRequest | None = None) -> Store:
    """Hide the store and its products from every public page and search at once
    (they filter on store.is_active); orders already placed stay as they are."""
    require_platform_admin(actor)
    with transaction.atomic():
        store = Store.objects.select_for_update().get(pk=store.pk)
        if not store.is_active:
            raise Conflict(
                _("Store %(store)s is already suspended"), code="store_already_suspended", params={"store": store.name}
            )
        before = _store_snapshot(store)
        store.is_active = False
        store.suspended_at = timezone.now()
        store.suspension_reason = reason
        store.save(update_fields=["is_active", "suspended_at", "suspension_reason", "updated_at"])
        _announce_stock(store)
        audit_record(
            actor=actor,
            action="store.suspend",
            target=store,
            before=before,
            after=_store_snapshot(store),
            request=request,
        )
    return store


def _announce_stock(store: Store) -> None:
    """Whether its products can be sold changed with the store: listeners (the marketplace
    pushes stock 0 to the platforms while suspended, the real stock again after) re-read it."""
    for product_id in Product.objects.filter(store=store, deleted_at__isnull=True).values_list("pk", flat=True):
        publish_stock_changed(product_id, store.pk)


def store_restore(*, store: Store, actor: User, request: HttpRequest | None = None) -> Store:
    require_platform_admin(actor)
    with transaction.atomic():
        store = Store.objects.select_for_update().get(pk=store.pk)
        if store.is_active:
            raise Conflict(
                _("Store %(store)s is not suspended"), code="store_not_suspended", params={"store": store.name}
            )
        before = _store_snapshot(store)
        store.is_active = True
        store.suspended_at = None
        store.suspension_reason = ""
        store.save(update_fields=["is_active", "suspended_at", "suspension_reason", "updated_at"])
        _announce_stock(store)
        audit_record(
            actor=actor,
            action="store.restore",
            target=store,
            before=before,
            after=_store_snapshot(store),
            request=request,
        )
    return store


# --- Products ----------------------------------------------------------------------------


def product_set_featured(
    *, product: Product, featured: bool, actor: User, request: HttpRequest | None = None
) -> Product:
    require_platform_admin(actor)
    with transaction.atomic():
        product = Product.objects.select_for_update().get(pk=product.pk)
        before = {"featured": product.featured}
        if product.featured != featured:
            product.featured = featured
            product.save(update_fields=["featured", "updated_at"])
        audit_record(
            actor=actor,
            action="product.feature" if featured else "product.unfeature",
            target=product,
            before=before,
            after={"featured": product.featured},
            request=request,
        )
    return product


def product_delete_by_admin(*, product: Product, actor: User, request: HttpRequest | None = None) -> Product:
    """The seller's own soft delete (shared code), plus the audit row in the same transaction."""
    require_platform_admin(actor)
    with transaction.atomic():
        before = {"deleted_at": product.deleted_at, "featured": product.featured}
        product = product_soft_delete(product=product)
        audit_record(
            actor=actor,
            action="product.delete",
            target=product,
            before=before,
            after={"deleted_at": product.deleted_at, "featured": product.featured},
            request=request,
        )
    return product


# --- Banners -----------------------------------------------------------------------------

BANNER_FIELDS = ("title", "subtitle", "image_url", "image", "link", "position", "starts_at", "ends_at", "is_active")


def _banner_validate(banner: Banner) -> None:
    try:
        banner.clean()
    except DjangoValidationError as exc:
        raise ValidationFailed(_("Invalid banner"), code="invalid_banner", fields=exc.message_dict) from exc


def _banner_snapshot(banner: Banner) -> dict:
    snap = {f: getattr(banner, f) for f in BANNER_FIELDS if f != "image"}
    snap["image"] = banner.image.name if banner.image else ""
    return snap


def banner_create(*, actor: User, request: HttpRequest | None = None, **data: Any) -> Banner:
    require_platform_admin(actor)
    banner = Banner(**{k: v for k, v in data.items() if k in BANNER_FIELDS})
    _banner_validate(banner)
    with transaction.atomic():
        banner.save()
        audit_record(
            actor=actor,
            action="banner.create",
            target=banner,
            before=None,
            after=_banner_snapshot(banner),
            request=request,
        )
    return banner


def banner_update(*, banner: Banner, actor: User, request: HttpRequest | None = None, **data: Any) -> Banner:
    """Partial update; the merged banner is validated as a whole (a new ends_at is checked
    against the stored starts_at)."""
    require_platform_admin(actor)
    with transaction.atomic():
        banner = Banner.objects.select_for_update().get(pk=banner.pk)
        before = _banner_snapshot(banner)
        # A new upload always counts as a change (a FieldFile compares by name only).
        changed = [k for k in BANNER_FIELDS if k in data and (k == "image" or getattr(banner, k) != data[k])]
        for key in changed:
            setattr(banner, key, data[key])
        _banner_validate(banner)
        if changed:
            # Only what this edit changed: a concurrent edit of other fields survives.
            banner.save(update_fields=[*changed, "updated_at"])
        audit_record(
            actor=actor,
            action="banner.update",
            target=banner,
            before=before,
            after=_banner_snapshot(banner),
            request=request,
        )
    return banner


def banner_delete(*, banner: Banner, actor: User, request: HttpRequest | None = None) -> None:
    require_platform_admin(actor)
    with transaction.atomic():
        banner = Banner.objects.select_for_update().get(pk=banner.pk)
        audit_record(
            actor=actor,
            action="banner.delete",
            target=banner,
            before=_banner_snapshot(banner),
            after=None,
            request=request,
        )
        banner.delete()


# --- Feature flags -----------------------------------------------------------------------


def store_flags_update(
    *, store: Store, changes: dict[str, bool], actor: User, request: HttpRequest | None = None
) -> dict[str, bool]:
    """Set some switches of a store (the others keep their value or default)."""
    require_platform_admin(actor)
    unknown = sorted(set(changes) - set(FEATURES))
    if unknown:
        raise ValidationFailed(
            _("Unknown feature flag: %(flags)s"),
            code="unknown_feature",
            params={"flags": ", ".join(unknown)},
            fields={name: [_("Unknown feature flag")] for name in unknown},
        )
    with transaction.atomic():
        # get_or_create under the store row lock: two admins saving at once cannot both insert.
        Store.objects.select_for_update().filter(pk=store.pk).values_list("pk", flat=True).get()
        flags, _created = StoreFeatureFlags.objects.select_for_update().get_or_create(store_id=store.pk)
        before = {name: getattr(flags, name) for name in FEATURES}
        for name, value in changes.items():
            setattr(flags, name, value)
        flags.save()
        after = {name: getattr(flags, name) for name in FEATURES}
        audit_record(actor=actor, action="store.flags", target=store, before=before, after=after, request=request)
    return after
