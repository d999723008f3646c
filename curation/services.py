"""Writes for admin curation. Each service owns its transaction and writes its audit row
inside it, so a rolled-back change never leaves a trail entry behind (and vice versa)."""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from catalog.models import Product
from catalog.services import product_soft_delete
from curation.flags import FEATURES
from curation.models import AuditLog, Banner, StoreFeatureFlags
from promos.models import Promo
from promos.services import EDITABLE_FIELDS as PROMO_EDITABLE_FIELDS
from promos.services import promo_create, promo_delete, promo_update
from stores.models import Store
from tokoblitar.api.client_ip import client_ip
from tokoblitar.api.errors import Conflict, ValidationFailed


def _jsonable(value: Any) -> Any:
    # UUIDs, datetimes, Decimals -> JSON-native values, so the stored snapshot reads back as written.
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _valid_ip(value: str) -> str | None:
    # A socket peer that is not an IP (unix socket, odd ASGI server) must not fail the change.
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def _target_parts(target: Any) -> tuple[str, str, str]:
    """(type, id, repr) from a model instance, a ("type", id) pair or a plain label."""
    if isinstance(target, models.Model):
        return target._meta.label_lower, str(target.pk), str(target)[:200]
    if isinstance(target, tuple) and len(target) == 2:
        return str(target[0]), str(target[1]), ""
    return str(target), "", ""


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: Any,
    before: dict | None,
    after: dict | None,
    request: HttpRequest | None = None,
) -> AuditLog:
    """Append one audit entry. Call it inside the transaction of the change it records.

    `target` is a model instance (preferred), a `(type, id)` pair or a label; `action` a
    dotted verb such as "store.suspend"; `before`/`after` small JSON-able snapshots.
    """
    target_type, target_id, target_repr = _target_parts(target)
    actor = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        return AuditLog.objects.create(
            actor=actor,
            actor_email=actor.email if actor else "",
            action=action[:80],
            target_type=target_type[:80],
            target_id=target_id[:64],
            target_repr=target_repr,
            before=_jsonable(before),
            after=_jsonable(after),
            ip=_valid_ip(client_ip(request)) if request is not None else None,
        )


# --- Stores ------------------------------------------------------------------------------


def _store_snapshot(store: Store) -> dict:
    return {
        "is_active": store.is_active,
        "featured": store.featured,
        "suspended_at": store.suspended_at,
        "suspension_reason": store.suspension_reason,
    }


def store_set_featured(*, store: Store, featured: bool, actor: User, request: HttpRequest | None = None) -> Store:
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
    with transaction.atomic():
        store = Store.objects.select_for_update().get(pk=store.pk)
        if not store.is_active:
            raise Conflict(f"Store {store.name} is already suspended")
        before = _store_snapshot(store)
        store.is_active = False
        store.suspended_at = timezone.now()
        store.suspension_reason = reason
        store.save(update_fields=["is_active", "suspended_at", "suspension_reason", "updated_at"])
        audit_record(
            actor=actor,
            action="store.suspend",
            target=store,
            before=before,
            after=_store_snapshot(store),
            request=request,
        )
    return store


def store_restore(*, store: Store, actor: User, request: HttpRequest | None = None) -> Store:
    with transaction.atomic():
        store = Store.objects.select_for_update().get(pk=store.pk)
        if store.is_active:
            raise Conflict(f"Store {store.name} is not suspended")
        before = _store_snapshot(store)
        store.is_active = True
        store.suspended_at = None
        store.suspension_reason = ""
        store.save(update_fields=["is_active", "suspended_at", "suspension_reason", "updated_at"])
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
        raise ValidationFailed("Invalid banner", fields=exc.message_dict) from exc


def _banner_snapshot(banner: Banner) -> dict:
    snap = {f: getattr(banner, f) for f in BANNER_FIELDS if f != "image"}
    snap["image"] = banner.image.name if banner.image else ""
    return snap


def banner_create(*, actor: User, request: HttpRequest | None = None, **data: Any) -> Banner:
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
    with transaction.atomic():
        banner = Banner.objects.select_for_update().get(pk=banner.pk)
        before = _banner_snapshot(banner)
        for key, value in data.items():
            if key in BANNER_FIELDS:
                setattr(banner, key, value)
        _banner_validate(banner)
        banner.save()
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
    unknown = sorted(set(changes) - set(FEATURES))
    if unknown:
        raise ValidationFailed(
            f"Unknown feature flag: {', '.join(unknown)}", fields={name: ["Unknown feature flag"] for name in unknown}
        )
    with transaction.atomic():
        # get_or_create under the store row lock: two admins saving at once cannot both insert.
        Store.objects.select_for_update().filter(pk=store.pk).values_list("pk", flat=True).get()
        flags, _ = StoreFeatureFlags.objects.select_for_update().get_or_create(store_id=store.pk)
        before = {name: getattr(flags, name) for name in FEATURES}
        for name, value in changes.items():
            setattr(flags, name, value)
        flags.save()
        after = {name: getattr(flags, name) for name in FEATURES}
        audit_record(actor=actor, action="store.flags", target=store, before=before, after=after, request=request)
    return after


# --- Platform promos (the promos app owns the rules; this adds the audit trail) -----------

_PROMO_AUDIT_FIELDS = (*PROMO_EDITABLE_FIELDS, "used_count", "deleted_at")


def _promo_snapshot(promo: Promo) -> dict:
    return {f: getattr(promo, f) for f in _PROMO_AUDIT_FIELDS}


def platform_promo_create(*, actor: User, request: HttpRequest | None = None, **data: Any) -> Promo:
    with transaction.atomic():
        promo = promo_create(store=None, **data)
        audit_record(
            actor=actor, action="promo.create", target=promo, before=None, after=_promo_snapshot(promo), request=request
        )
    return promo


def platform_promo_update(*, promo: Promo, actor: User, request: HttpRequest | None = None, **data: Any) -> Promo:
    with transaction.atomic():
        before = _promo_snapshot(promo)
        promo = promo_update(promo=promo, **data)
        audit_record(
            actor=actor,
            action="promo.update",
            target=promo,
            before=before,
            after=_promo_snapshot(promo),
            request=request,
        )
    return promo


def platform_promo_delete(*, promo: Promo, actor: User, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        before = _promo_snapshot(promo)
        promo_delete(promo=promo)
        audit_record(
            actor=actor,
            action="promo.delete",
            target=promo,
            before=before,
            after=_promo_snapshot(promo),
            request=request,
        )
