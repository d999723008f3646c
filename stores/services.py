"""Writes for stores."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services import user_register
from stores.models import Store, StoreSlugHistory
from stores.selectors import store_get_for_seller
from tokoblitar.errors import ValidationFailed
from tokoblitar.images import image_delete_quietly, image_reencode, image_size, image_store
from tokoblitar.renditions import rendition_names

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


# A store address (its subdomain): a DNS label of 3–63 lowercase letters, digits and hyphens.
STORE_SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$")
# How often a seller may change her address, and how long an old one keeps redirecting before
# another store may claim it (links live on in chats and bios).
STORE_SLUG_CHANGE_DAYS = 30
STORE_SLUG_REDIRECT_DAYS = 365


def _old_slugs_in_use(*, since_days: int = STORE_SLUG_REDIRECT_DAYS):
    return StoreSlugHistory.objects.filter(retired_at__gte=timezone.now() - timedelta(days=since_days))


def store_unique_slug(*, name: str, exclude_pk=None) -> str:
    taken_qs = Store.objects.all()
    if exclude_pk is not None:
        taken_qs = taken_qs.exclude(pk=exclude_pk)
    base = (slugify(name) or "toko")[:50].strip("-") or "toko"
    taken = set(taken_qs.filter(slug__startswith=base).values_list("slug", flat=True))
    # Another store's old address still redirects to it: never hand it out.
    taken |= set(_old_slugs_in_use().filter(slug__startswith=base).values_list("slug", flat=True))
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
                store = Store.objects.create(owner=owner, name=store_name, slug=store_unique_slug(name=store_name))
                # An old address past its redirect lifetime now belongs to this store.
                StoreSlugHistory.objects.filter(slug=store.slug).delete()
                return store
        except IntegrityError:
            continue  # a concurrent registration took the slug; pick again
    raise RuntimeError("could not allocate a store slug")


STORE_UPDATABLE_FIELDS = (
    "slug",
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


def _slug_error(message: Any, code: str, **params: Any) -> ValidationFailed:
    return ValidationFailed(message, code=code, params=params, fields={"slug": [message]})


def _store_slug_change(*, store: Store, new_slug: str) -> bool:
    """Move the locked `store` to `new_slug`, keeping the old one as a redirect. False when
    unchanged. Rules: DNS-label format, not reserved, at most once per STORE_SLUG_CHANGE_DAYS,
    not another store's address nor its old one within STORE_SLUG_REDIRECT_DAYS."""
    new_slug = (new_slug or "").strip().lower()
    if new_slug == store.slug:
        return False
    if not STORE_SLUG_RE.match(new_slug) or "--" in new_slug:
        raise _slug_error(_("Use 3–63 lowercase letters, digits or hyphens (e.g. keripik-bu-sri)"), "invalid_slug")
    if new_slug in RESERVED_SLUGS:
        raise _slug_error(_("This address is reserved; choose another"), "reserved_slug")
    now = timezone.now()
    if store.slug_changed_at is not None and now - store.slug_changed_at < timedelta(days=STORE_SLUG_CHANGE_DAYS):
        allowed = timezone.localtime(store.slug_changed_at + timedelta(days=STORE_SLUG_CHANGE_DAYS))
        raise _slug_error(
            _("The store address can be changed once every %(days)s days; next change from %(date)s"),
            "slug_change_too_soon",
            days=STORE_SLUG_CHANGE_DAYS,
            # Rendered when the message is read, in that language.
            date=lazy(lambda: date_format(allowed, "j F Y"), str)(),
        )
    taken = Store.objects.filter(slug=new_slug).exclude(pk=store.pk).exists()
    if taken or _old_slugs_in_use().filter(slug=new_slug).exclude(store=store).exists():
        raise _slug_error(_("This store address is already taken"), "slug_taken")
    # Taking back her own old address, or one whose redirect lifetime has run out.
    StoreSlugHistory.objects.filter(slug=new_slug).delete()
    StoreSlugHistory.objects.update_or_create(slug=store.slug, defaults={"store": store, "retired_at": now})
    store.slug = new_slug
    store.slug_changed_at = now
    return True


def store_update(*, store: Store, data: dict[str, Any]) -> Store:
    """Partial update of the seller-editable fields (STORE_UPDATABLE_FIELDS).

    A rename keeps the slug (the store's subdomain); the seller changes it on purpose with
    `slug` (rules in `_store_slug_change`; ValidationFailed with field `slug`), and the old
    address keeps answering with a 301 (StoreSlugHistory).
    A rename re-indexes the store's products for search: the `stores_store_search_refresh`
    trigger (catalog migration 0002) does it in one UPDATE inside this transaction.
    """
    unknown = set(data) - set(STORE_UPDATABLE_FIELDS)
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    with transaction.atomic():
        store = Store.objects.select_for_update().get(pk=store.pk)
        changed: list[str] = []
        if "slug" in data and _store_slug_change(store=store, new_slug=data["slug"]):
            changed += ["slug", "slug_changed_at"]
        for key, value in data.items():
            if key == "slug":
                continue
            if key in ("lat", "lng") and value is not None:
                value = Decimal(str(value)).quantize(_COORD_STEP, rounding=ROUND_HALF_UP)
            if getattr(store, key) != value:
                setattr(store, key, value)
                changed.append(key)
        store.full_clean(exclude=["owner", "slug"], validate_unique=False, validate_constraints=False)
        # Only the fields this edit changes, under the row lock: an admin's suspend/feature
        # (other columns) or a concurrent edit of other settings is never written back stale.
        if changed:
            try:
                with transaction.atomic():
                    store.save(update_fields=[*changed, "updated_at"])
            except IntegrityError as exc:  # another store took the slug at the same moment
                raise _slug_error(_("This store address is already taken"), "slug_taken") from exc
    return store


STORE_IMAGE_SIDES = {"logo": 512, "banner": 1600}


def store_image_set(*, store: Store, kind: Literal["logo", "banner"], upload: UploadedFile) -> Store:
    """Store an uploaded logo or banner (the validated upload of tokoblitar.images: content
    checked, pixels bounded, EXIF stripped, re-encoded JPEG) in the default storage.

    The previous uploaded file is deleted after commit. Raises ValidationFailed (field
    `kind`: not an image, too large) and Conflict (`busy`)."""
    return _store_image_save(store=store, kind=kind, data=_store_image_encode(kind=kind, upload=upload))


def _store_image_encode(*, kind: str, upload: UploadedFile) -> bytes:
    if kind not in STORE_IMAGE_SIDES:
        raise ValueError(f"unknown store image: {kind}")
    return image_reencode(upload, field=kind, max_side=STORE_IMAGE_SIDES[kind])


def _store_image_save(*, store: Store, kind: str, data: bytes) -> Store:
    field = Store._meta.get_field(kind)
    width, height = image_size(data)
    with transaction.atomic():
        store = Store.objects.select_for_update().get(pk=store.pk)
        previous = getattr(store, kind)
        # Names read now (no file I/O): after commit the old picture and its renditions go.
        old_names = [*rendition_names(previous), previous.name] if previous else []
        # The file first, the row after: a failing storage (ProviderError, 502) changes nothing.
        stored = image_store(
            storage=field.storage,
            name=field.generate_filename(None, f"{store.slug[:40]}-{uuid.uuid4().hex[:12]}.jpg"),
            data=data,
        )
        try:
            # A queryset update: the size is known, so the file is never read back to learn it.
            Store.objects.filter(pk=store.pk).update(
                **{
                    kind: stored,
                    f"{kind}_width": width,
                    f"{kind}_height": height,
                    f"{kind}_renditions_ready": False,
                    "updated_at": timezone.now(),
                }
            )
        except Exception:
            field.storage.delete(stored)
            raise
        # A rolled-back edit must not leave its new file behind; a committed one drops the old.
        transaction.on_commit(lambda: image_delete_quietly(storage=field.storage, names=old_names))
        store.refresh_from_db()
        # Web-sized renditions are drawn by the task worker once this commits.
        getattr(store, kind).update_all()
    return store


def store_images_mark_rendered(*, file_name: str, kind: str) -> int:
    """Stores showing `file_name` as their `kind` (logo/banner) now have its renditions."""
    return Store.objects.filter(**{kind: file_name, f"{kind}_width__isnull": False}).update(
        **{f"{kind}_renditions_ready": True}
    )


def store_link_shared(*, store: Store) -> Store:
    """Remember that the seller shared her store link (the set-up checklist ticks it); once."""
    Store.objects.filter(pk=store.pk, link_shared_at__isnull=True).update(link_shared_at=timezone.now())
    store.refresh_from_db(fields=["link_shared_at"])
    return store


# --- Entry services: the acting seller, scoped to her own store ------------------------------


def seller_store_update(
    *,
    actor: User,
    data: dict[str, Any],
    logo: UploadedFile | None = None,
    banner: UploadedFile | None = None,
) -> Store:
    """The acting seller edits her store: fields (see `store_update`) and an uploaded logo and/or
    banner, all or nothing (a rejected picture undoes the edit). NotFound without a store."""
    store = store_get_for_seller(user=actor)
    # Pictures are checked before anything is written: a rejected one leaves no file behind.
    pictures = {
        kind: _store_image_encode(kind=kind, upload=up) for kind, up in (("logo", logo), ("banner", banner)) if up
    }
    with transaction.atomic():
        store = store_update(store=store, data=data)
        for kind, picture in pictures.items():
            store = _store_image_save(store=store, kind=kind, data=picture)
    return store


def seller_store_link_shared(*, actor: User) -> Store:
    """The acting seller shared her store link (dashboard share buttons)."""
    return store_link_shared(store=store_get_for_seller(user=actor))


def account_register(*, email: str, password: str, full_name: str, role: str, phone: str = "") -> User:
    """Sign-up: the user (accounts.services.user_register) and, for a seller, her store, in one
    transaction. Raises what user_register raises; nothing is written then."""
    with transaction.atomic():
        user = user_register(email=email, password=password, full_name=full_name, role=role, phone=phone)
        if user.role == User.Role.SELLER:
            store_create_for_seller(owner=user)
    return user
