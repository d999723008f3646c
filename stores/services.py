"""Writes for stores."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from accounts.models import User
from accounts.services import user_register
from stores.models import Store

# Subdomains we must never hand to a store.
RESERVED_SLUGS = frozenset(
    {"www", "api", "admin", "static", "media", "mail", "app", "dashboard", "store", "toko", "help", "blog", "cdn"}
)


def _slug_candidates(base: str):
    base = (slugify(base) or "toko")[:50].strip("-") or "toko"
    if base not in RESERVED_SLUGS:
        yield base
    for n in range(2, 1000):
        yield f"{base}-{n}"


def store_unique_slug(*, name: str, exclude_pk=None) -> str:
    taken_qs = Store.objects.all()
    if exclude_pk is not None:
        taken_qs = taken_qs.exclude(pk=exclude_pk)
    base = (slugify(name) or "toko")[:50].strip("-") or "toko"
    taken = set(taken_qs.filter(slug__startswith=base).values_list("slug", flat=True))
    for candidate in _slug_candidates(name):
        if candidate not in taken:
            return candidate
    raise RuntimeError("no free slug")  # 1000 stores with one name: not a real case


def store_create_for_seller(*, owner: User, name: str | None = None) -> Store:
    """A seller gets a store at once: named after them, unique slug, open and visible."""
    store_name = name or f"Toko {owner.full_name}".strip()
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Store.objects.create(owner=owner, name=store_name, slug=store_unique_slug(name=store_name))
        except IntegrityError:
            continue  # a concurrent registration took the slug; pick again
    raise RuntimeError("could not allocate a store slug")


STORE_UPDATABLE_FIELDS = (
    "name",
    "description",
    "logo_url",
    "banner_url",
    "address",
    "lat",
    "lng",
    "google_maps_url",
    "instagram_handle",
)
_COORD_STEP = Decimal("0.000001")


def store_update(*, store: Store, data: dict[str, Any]) -> Store:
    """Partial update of the seller-editable fields.

    The slug (the store's subdomain) stays as it is on rename, so links keep working.
    A rename re-indexes the store's products for search: the `stores_store_search_refresh`
    trigger (catalog migration 0002) does it in one UPDATE inside this transaction.
    """
    unknown = set(data) - set(STORE_UPDATABLE_FIELDS)
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    with transaction.atomic():
        store = Store.objects.select_for_update().get(pk=store.pk)
        changed: list[str] = []
        for key, value in data.items():
            if key in ("lat", "lng") and value is not None:
                value = Decimal(str(value)).quantize(_COORD_STEP, rounding=ROUND_HALF_UP)
            if getattr(store, key) != value:
                setattr(store, key, value)
                changed.append(key)
        store.full_clean(exclude=["owner", "slug"], validate_unique=False, validate_constraints=False)
        # Only the fields this edit changes, under the row lock: an admin's suspend/feature
        # (other columns) or a concurrent edit of other settings is never written back stale.
        if changed:
            store.save(update_fields=[*changed, "updated_at"])
    return store


def account_register(*, email: str, password: str, full_name: str, role: str, phone: str = "") -> User:
    """Sign-up: the user (accounts.services.user_register) and, for a seller, her store, in one
    transaction. Raises what user_register raises; nothing is written then."""
    with transaction.atomic():
        user = user_register(email=email, password=password, full_name=full_name, role=role, phone=phone)
        if user.role == User.Role.SELLER:
            store_create_for_seller(owner=user)
    return user
