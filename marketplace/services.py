"""Sales-channel entry services: connect, disconnect, sync, stock pushes, channel orders.

Entry services take the acting seller (`actor`) and check the store's `marketplace_sync`
flag before acting. Platform calls (HTTP) never run inside a transaction that also holds our
writes, except where a row lock must cover the call: a token refresh (Shopee's refresh token is
single-use, so two workers must not both use it) and a stock push (pushes for one listing run
one at a time, each reading the stock after taking the lock, so a stale number can never land
after a newer one).

Money is int rupiah; weights grams; times aware UTC datetimes.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from catalog.models import Product
from catalog.stock import publish_stock_changed
from marketplace.categories import platform_category
from marketplace.channels.base import (
    PLATFORM_NAMES,
    PLATFORMS,
    ChannelError,
    ChannelOrderData,
    ListingInput,
    MarketplaceChannel,
    StockUpdate,
    TokenSet,
)
from marketplace.models import ChannelOrder, MarketplaceConnection, MarketplaceListing, StockPushRequest
from marketplace.reasons import english as attention_english
from orders.services import stock_take_guarded
from stores.flags import require_feature, store_feature_enabled
from stores.models import Store
from stores.selectors import store_get_for_seller
from tokoblitar.errors import Conflict, NotFound, ValidationFailed
from tokoblitar.providers import get_provider

logger = logging.getLogger(__name__)

FEATURE = "marketplace_sync"
SYNC_BATCH = 20
REFRESH_AHEAD = timedelta(minutes=30)  # refresh access tokens this long before they expire
COALESCE_SECONDS = 1.0  # a burst of stock changes inside this window makes one push
MAX_ATTEMPTS = 6
MAINTAIN_EVERY = timedelta(minutes=5)  # order polling / token check cadence per connection
POLL_OVERLAP = timedelta(minutes=2)
REVIEW_POLL_EVERY = timedelta(seconds=30)  # while a listing is in QC/audit, ask this often
# The platform's "that item does not exist (in this shop)" answer on an update: the listing is
# re-created instead of failing forever (the item was deleted there, or the shop changed).
ITEM_NOT_FOUND = {"shopee": {"error_item_not_found"}, "lazada": {"4137"}, "tokopedia": {"40004"}}


def get_channel(platform: str) -> MarketplaceChannel:
    """The platform's channel (live or simulator, per the provider registry)."""
    return get_provider(platform)


def backoff_seconds(attempt: int, retry_after: float | None = None) -> float:
    """Exponential backoff for attempt 1, 2, …: 5 s, 10 s, 20 s … capped at 10 min; the
    platform's own `retry_after` wins when it is longer."""
    wait = min(5.0 * 2 ** (attempt - 1), 600.0)
    return max(wait, retry_after or 0.0)


def _platform(platform: str) -> str:
    if platform not in PLATFORMS:
        raise ValidationFailed(
            _("Unknown platform %(platform)s"),
            code="invalid_platform",
            params={"platform": platform},
            fields={"platform": [_("Choose tokopedia, shopee or lazada")]},
        )
    return platform


def _seller_store(actor: User) -> Store:
    store = store_get_for_seller(user=actor)
    require_feature(store=store, feature=FEATURE)
    return store


def tokens_of(connection: MarketplaceConnection) -> TokenSet:
    return TokenSet(
        access_token=connection.access_token,
        refresh_token=connection.refresh_token,
        access_expires_at=connection.access_expires_at or timezone.now(),
        refresh_expires_at=connection.refresh_expires_at,
        shop_id=connection.shop_id,
        shop_name=connection.shop_name,
        refreshable=connection.refreshable,
        extra=dict(connection.extra or {}),
    )


def _store_tokens(connection: MarketplaceConnection, tokens: TokenSet) -> None:
    connection.access_token = tokens.access_token
    connection.refresh_token = tokens.refresh_token
    connection.access_expires_at = tokens.access_expires_at
    connection.refresh_expires_at = tokens.refresh_expires_at
    connection.refreshable = tokens.refreshable
    connection.extra = {**(connection.extra or {}), **tokens.extra}
    connection.token_version = F("token_version") + 1
    if tokens.shop_name:
        connection.shop_name = tokens.shop_name[:200]


def _connected(store: Store, platform: str) -> MarketplaceConnection:
    connection = MarketplaceConnection.objects.filter(
        store=store, platform=platform, status=MarketplaceConnection.Status.CONNECTED
    ).first()
    if connection is None:
        raise Conflict(
            _("The store is not connected to %(platform_name)s"),
            code="marketplace_not_connected",
            params={"platform_name": PLATFORM_NAMES[platform]},
        )
    return connection


# --- connect / disconnect ----------------------------------------------------------------------


def marketplace_authorize_url(*, actor: User, platform: str, redirect_uri: str) -> tuple[str, str]:
    """(authorize URL, state) to start the platform's consent. The caller binds `state` to the
    seller's session and checks it on return (the callback then calls `marketplace_connect`)."""
    _seller_store(actor)
    state = secrets.token_urlsafe(24)
    return get_channel(_platform(platform)).authorize_url(state=state, redirect_uri=redirect_uri), state


def marketplace_connect(
    *, actor: User, platform: str, code: str, params: dict[str, str] | None = None
) -> MarketplaceConnection:
    """Exchange an authorization code for tokens and store them (encrypted) as the store's
    connection to `platform`. `params`: the other redirect parameters (Shopee's `shop_id`).

    Raises ValidationFailed (unknown platform, empty or refused code), FeatureDisabled (flag
    off), Conflict (that platform shop is connected to another store), ChannelError (502,
    the platform failed)."""
    store = _seller_store(actor)
    platform = _platform(platform)
    code = (code or "").strip()
    if not code:
        raise ValidationFailed(
            _("The authorization code is missing"), code="code_required", fields={"code": [_("Required")]}
        )
    channel = get_channel(platform)
    try:
        tokens = channel.exchange_code(code=code, params=dict(params or {}))
    except ChannelError as exc:
        if exc.retryable:
            raise
        raise ValidationFailed(
            _("%(platform_name)s refused the authorization code: %(detail)s"),
            code="invalid_code",
            params={"platform_name": PLATFORM_NAMES[platform], "detail": exc.detail},
            fields={"code": [_("Refused by the platform; connect again")]},
        ) from exc
    with transaction.atomic():
        taken = (
            MarketplaceConnection.objects.filter(
                platform=platform, shop_id=tokens.shop_id, status=MarketplaceConnection.Status.CONNECTED
            )
            .exclude(store=store)
            .exists()
        )
        if taken:
            raise Conflict(
                _("This %(platform_name)s shop is already connected to another store"),
                code="shop_taken",
                params={"platform_name": PLATFORM_NAMES[platform]},
            )
        connection, _created = MarketplaceConnection.objects.select_for_update().get_or_create(
            store=store, platform=platform
        )
        if connection.shop_id and connection.shop_id != tokens.shop_id:
            # Another platform shop than before: our listings point at the old shop's items,
            # which this shop cannot update. They are made again on the next sync.
            _listings_forget(MarketplaceListing.objects.filter(store=store, platform=platform))
        _store_tokens(connection, tokens)
        connection.shop_id = tokens.shop_id
        connection.status = MarketplaceConnection.Status.CONNECTED
        connection.last_error = ""
        connection.connected_at = timezone.now()
        connection.last_order_poll_at = timezone.now() - POLL_OVERLAP
        connection.save()
        transaction.on_commit(partial(_enqueue_maintain, str(connection.pk), None))
    connection.refresh_from_db()
    return connection


def marketplace_disconnect(*, actor: User, platform: str) -> MarketplaceConnection:
    """End the store's connection to `platform`: tokens erased, listings kept (a reconnect
    to the same shop updates them). NotFound when there is no connection."""
    store = _seller_store(actor)
    platform = _platform(platform)
    with transaction.atomic():
        connection = MarketplaceConnection.objects.select_for_update().filter(store=store, platform=platform).first()
        if connection is None:
            raise NotFound(_("No connection to that platform"), code="connection_not_found")
        connection.status = MarketplaceConnection.Status.DISCONNECTED
        connection.access_token = ""
        connection.refresh_token = ""
        connection.save()
    return connection


# --- tokens --------------------------------------------------------------------------------


def connection_refresh(*, connection_id: UUID | str, force: bool = False) -> str:
    """Refresh the connection's tokens when they expire within REFRESH_AHEAD (or `force`).

    Outcome: "fresh" (nothing to do), "refreshed", "retry" (the platform could not be reached:
    old tokens kept, try again later), "expired" (the platform refused the refresh token:
    the seller must connect again), "gone" (not connected).

    The row lock covers the platform call: a single-use refresh token is never sent twice by
    racing workers. The new pair is the first thing written after the answer, in its own
    transaction, so nothing that fails later can lose it."""
    with transaction.atomic():
        connection = MarketplaceConnection.objects.select_for_update().filter(pk=connection_id).first()
        if connection is None or connection.status != MarketplaceConnection.Status.CONNECTED:
            return "gone"
        due = connection.access_expires_at is None or connection.access_expires_at - timezone.now() < REFRESH_AHEAD
        if not (due or force):
            return "fresh"
        if not connection.refreshable:
            return "fresh"
        try:
            tokens = get_channel(connection.platform).refresh(tokens_of(connection))
        except ChannelError as exc:
            if exc.retryable:
                connection.last_error = str(exc.detail)[:500]
                connection.save(update_fields=["last_error", "updated_at"])
                return "retry"
            if connection.access_expires_at and connection.access_expires_at > timezone.now():
                # The access token still works: keep the connection until it stops.
                connection.last_error = str(exc.detail)[:500]
                connection.save(update_fields=["last_error", "updated_at"])
                return "retry"
            connection.status = MarketplaceConnection.Status.EXPIRED
            connection.last_error = str(exc.detail)[:500]
            connection.save(update_fields=["status", "last_error", "updated_at"])
            return "expired"
        _store_tokens(connection, tokens)
        connection.last_error = ""
        connection.save()
    return "refreshed"


def _usable(connection: MarketplaceConnection) -> MarketplaceConnection:
    """The connection with tokens good for the next calls (refreshed first when due)."""
    if connection.access_expires_at is None or connection.access_expires_at - timezone.now() < REFRESH_AHEAD:
        connection_refresh(connection_id=connection.pk)
        connection.refresh_from_db()
    if connection.status != MarketplaceConnection.Status.CONNECTED:
        raise Conflict(
            _("The connection to %(platform_name)s expired; connect again"),
            code="marketplace_expired",
            params={"platform_name": PLATFORM_NAMES[connection.platform]},
        )
    return connection


def connection_maintain(*, connection_id: str) -> str:
    """The background round for one connection: refresh tokens when due, pull new orders,
    and schedule the next round (before the access token's refresh window, at most
    MAINTAIN_EVERY later). Stops when the connection ends."""
    outcome = connection_refresh(connection_id=connection_id)
    connection = MarketplaceConnection.objects.filter(pk=connection_id).first()
    if connection is None or connection.status != MarketplaceConnection.Status.CONNECTED:
        return outcome
    try:
        orders_poll(connection=connection)
    except (ChannelError, Conflict) as exc:
        logger.warning("Order poll for %s failed: %s", connection_id, exc)
    try:
        in_review = listings_review_poll(connection=connection)
    except (ChannelError, Conflict) as exc:
        logger.warning("Listing review poll for %s failed: %s", connection_id, exc)
        in_review = 0
    next_at = timezone.now() + (REVIEW_POLL_EVERY if in_review else MAINTAIN_EVERY)
    if outcome == "retry":
        next_at = timezone.now() + timedelta(seconds=30)
    elif connection.access_expires_at:
        next_at = min(
            next_at, max(connection.access_expires_at - REFRESH_AHEAD, timezone.now() + timedelta(seconds=30))
        )
    _enqueue_maintain(str(connection.pk), next_at)
    return outcome


def _enqueue_maintain(connection_id: str, run_after: datetime | None) -> None:
    from marketplace.tasks import connection_maintain_task

    connection_maintain_task.using(run_after=run_after).enqueue(connection_id=connection_id)


# --- product sync ----------------------------------------------------------------------------


def _absolute(url: str) -> str:
    if url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL.rstrip("/") + "/" + url.lstrip("/")


def product_image_urls(product: Product) -> list[str]:
    """Absolute URLs of the product's photos: the widest JPEG rendition when drawn, the
    stored original before."""
    from tokoblitar.renditions import srcset

    urls = []
    for image in product.images.all():
        url = image.url
        if image.renditions_ready:
            try:
                sources = srcset(image.image, "JPEG")
            except Exception:  # noqa: BLE001 - a rendition lookup must not stop a sync
                sources = []
            if sources:
                url = sources[-1][1]
        urls.append(_absolute(url))
    return urls


def listing_input(product: Product, platform: str, listing: MarketplaceListing | None) -> ListingInput:
    """Our product as the platform's payload input (see ListingInput)."""
    return ListingInput(
        product_id=str(product.pk),
        sku=str(product.pk),
        name=product.name,
        description=product.description or product.name,
        price=int(product.price),
        stock=int(product.stock),
        weight_grams=int(product.weight_gram),
        image_urls=product_image_urls(product),
        category_id=platform_category(platform, product.category.slug if product.category_id else None),
        external_id=listing.external_id if listing else "",
        idempotency_key=(listing.idempotency_key if listing else "") or secrets.token_hex(16),
    )


def _store_products(store: Store, product_ids: list[Any]) -> list[Product]:
    alive = Product.objects.alive().filter(store=store).select_related("category").prefetch_related("images")
    if not product_ids:
        return list(alive.filter(status=Product.Status.ACTIVE).order_by("created_at"))
    wanted = []
    for raw in product_ids:
        try:
            wanted.append(UUID(str(raw)))
        except ValueError as exc:
            raise ValidationFailed(
                _("Invalid product id"), code="invalid_product_id", fields={"product_ids": [_("Invalid id")]}
            ) from exc
    products = list(alive.filter(pk__in=wanted))
    if len({p.pk for p in products}) != len(set(wanted)):
        # Another store's product, or one that does not exist: refuse the whole request.
        raise NotFound(_("Some products are not in your store"), code="product_not_found")
    return products


def sync_products(*, actor: User, platform: str, product_ids: list[str]) -> dict[str, int]:
    """Create or update the store's products on `platform`; `product_ids` empty = every active
    product. Returns {"synced": n, "failed": n, "queued": n}: queued items met throttling or a
    passing failure and are retried in the background with backoff (not failures).

    Raises ValidationFailed (unknown platform, malformed ids), NotFound (an id not of this
    store: nothing is synced), FeatureDisabled, Conflict (not connected / expired)."""
    store = _seller_store(actor)
    platform = _platform(platform)
    connection = _connected(store, platform)
    products = _store_products(store, product_ids)
    return _sync(connection, products, attempt=1)


def _sync(
    connection: MarketplaceConnection, products: list[Product], *, attempt: int, recreating: bool = False
) -> dict[str, int]:
    platform = connection.platform
    channel = get_channel(platform)
    counts = {"synced": 0, "failed": 0, "queued": 0}
    retry: list[str] = []
    gone: list[Product] = []  # updated items the platform no longer has: created again below
    retry_after: float | None = None
    for start in range(0, len(products), SYNC_BATCH):
        batch = products[start : start + SYNC_BATCH]
        connection = _usable(connection)
        listings = {}
        for product in batch:
            listing, _created = MarketplaceListing.objects.get_or_create(
                product=product, platform=platform, defaults={"store_id": product.store_id}
            )
            if not listing.idempotency_key:
                listing.idempotency_key = secrets.token_hex(16)
                listing.save(update_fields=["idempotency_key"])
            listings[str(product.pk)] = listing
        # The sequence first, the stock after it: the stock sent is at least as new as the
        # sequence recorded with it, so a change in between is pushed later, never lost.
        seqs = dict(StockPushRequest.objects.filter(product__in=batch).values_list("product_id", "seq"))
        current = {p.pk: sellable_stock(p.pk) for p in batch}
        for product in batch:
            product.stock = current.get(product.pk, product.stock)
        items = [listing_input(p, platform, listings[str(p.pk)]) for p in batch]
        sent_stock = {item.product_id: item.stock for item in items}
        try:
            results = channel.upsert_listings(tokens_of(connection), items)
        except ChannelError as exc:
            if exc.retryable and attempt < MAX_ATTEMPTS:
                retry += [str(p.pk) for p in batch]
                retry_after = exc.retry_after
                MarketplaceListing.objects.filter(pk__in=[x.pk for x in listings.values()]).update(
                    error_code=exc.platform_code, error_message=str(exc.detail)[:500], attempts=attempt
                )
                counts["queued"] += len(batch)
                continue
            MarketplaceListing.objects.filter(pk__in=[x.pk for x in listings.values()]).update(
                status=MarketplaceListing.Status.FAILED,
                error_code=exc.platform_code,
                error_message=str(exc.detail)[:500],
                attempts=attempt,
            )
            counts["failed"] += len(batch)
            if exc.auth_failed:
                MarketplaceConnection.objects.filter(pk=connection.pk).update(last_error=str(exc.detail)[:500])
            continue
        now = timezone.now()
        for result in results:
            listing = listings[result.product_id]
            if result.ok:
                with transaction.atomic():
                    locked = MarketplaceListing.objects.select_for_update().get(pk=listing.pk)
                    locked.external_id = result.external_id or locked.external_id
                    locked.external_sku_id = result.external_sku_id or locked.external_sku_id
                    locked.status = (
                        MarketplaceListing.Status.PENDING_REVIEW
                        if result.status == "pending_review"
                        else MarketplaceListing.Status.LIVE
                    )
                    locked.error_code = locked.error_message = ""
                    locked.attempts = 0
                    locked.last_synced_at = now
                    # The stock sent with the listing counts as pushed for the sequence read before it.
                    seq = seqs.get(UUID(result.product_id), 0)
                    if seq >= locked.pushed_seq:
                        locked.pushed_stock = sent_stock[result.product_id]
                        locked.pushed_seq = seq
                        locked.pushed_at = now
                    locked.save()
                counts["synced"] += 1
            elif not recreating and listing.external_id and result.error_code in ITEM_NOT_FOUND.get(platform, set()):
                gone.extend(p for p in batch if str(p.pk) == result.product_id)
            elif result.retryable and attempt < MAX_ATTEMPTS:
                listing.error_code, listing.error_message = result.error_code, result.error_message[:500]
                listing.attempts = attempt
                listing.save(update_fields=["error_code", "error_message", "attempts", "updated_at"])
                retry.append(result.product_id)
                counts["queued"] += 1
            else:
                listing.status = MarketplaceListing.Status.FAILED
                listing.error_code, listing.error_message = result.error_code, result.error_message[:500]
                listing.attempts = attempt
                listing.save(update_fields=["status", "error_code", "error_message", "attempts", "updated_at"])
                counts["failed"] += 1
    if gone:
        with transaction.atomic():
            _listings_forget(MarketplaceListing.objects.filter(product__in=gone, platform=platform))
        again = _sync(connection, gone, attempt=attempt, recreating=True)
        for key in counts:
            counts[key] += again[key]
    MarketplaceConnection.objects.filter(pk=connection.pk).update(last_sync_at=timezone.now())
    if retry:
        run_after = timezone.now() + timedelta(seconds=backoff_seconds(attempt, retry_after))
        transaction.on_commit(partial(_enqueue_sync_retry, str(connection.pk), retry, attempt + 1, run_after))
    return counts


def _listings_forget(listings) -> int:
    """Forget the platform items of these listings (they will be created again): no external
    ids, a new idempotency key (the old one would answer with the old item), nothing pushed."""
    count = 0
    for listing in listings.select_for_update():
        listing.external_id = listing.external_sku_id = ""
        listing.idempotency_key = secrets.token_hex(16)
        listing.status = MarketplaceListing.Status.PENDING
        listing.pushed_stock, listing.pushed_seq, listing.pushed_at = None, 0, None
        listing.save()
        count += 1
    return count


def sync_retry(*, connection_id: str, product_ids: list[str], attempt: int) -> dict[str, int]:
    """The background retry of throttled items (no actor: the seller asked before)."""
    connection = MarketplaceConnection.objects.filter(
        pk=connection_id, status=MarketplaceConnection.Status.CONNECTED
    ).first()
    if connection is None or not store_feature_enabled(store=connection.store, feature=FEATURE):
        return {"synced": 0, "failed": 0, "queued": 0}
    products = list(
        Product.objects.alive()
        .filter(store_id=connection.store_id, pk__in=product_ids)
        .select_related("category")
        .prefetch_related("images")
    )
    return _sync(connection, products, attempt=attempt)


def _enqueue_sync_retry(connection_id: str, product_ids: list[str], attempt: int, run_after: datetime) -> None:
    from marketplace.tasks import sync_retry_task

    sync_retry_task.using(run_after=run_after).enqueue(
        connection_id=connection_id, product_ids=product_ids, attempt=attempt
    )


# --- stock pushes ------------------------------------------------------------------------------


def stock_change_noted(*, product_id: str) -> bool:
    """Bookkeeping for one `stock.changed`: bump the product's push sequence and enqueue one
    push task unless one is already waiting (coalescing). False when the product is listed
    nowhere connected (nothing to do)."""
    if not _listed_connected(product_id).exists():
        return False
    with transaction.atomic():
        request, _created = StockPushRequest.objects.get_or_create(product_id=product_id)
        request = StockPushRequest.objects.select_for_update().get(pk=request.pk)
        request.seq += 1
        request.changed_at = timezone.now()
        enqueue = not request.queued
        request.queued = True
        request.save()
        if enqueue:
            run_after = timezone.now() + timedelta(seconds=COALESCE_SECONDS)
            transaction.on_commit(partial(_enqueue_push, str(product_id), 1, run_after))
    return True


def _listed_connected(product_id: Any):
    """The product's listings on platforms its store is connected to."""
    store_id = Product.objects.filter(pk=product_id).values_list("store_id", flat=True).first()
    platforms = MarketplaceConnection.objects.filter(
        store_id=store_id, status=MarketplaceConnection.Status.CONNECTED
    ).values_list("platform", flat=True)
    return MarketplaceListing.objects.filter(product_id=product_id, platform__in=list(platforms)).exclude(
        external_id=""
    )


def sellable_stock(product_id: Any) -> int:
    """The stock the platforms may sell: the product's stock while it is active and not deleted
    in an active store, else 0 (an archived, draft or deleted product must stop selling there)."""
    row = Product.objects.filter(pk=product_id).values("stock", "status", "deleted_at", "store__is_active").first()
    if row is None or not _is_sellable(row["status"], row["deleted_at"], row["store__is_active"]):
        return 0
    return max(int(row["stock"]), 0)


def _is_sellable(status: str, deleted_at: Any, store_active: bool) -> bool:
    return status == Product.Status.ACTIVE and deleted_at is None and bool(store_active)


def _enqueue_push(product_id: str, attempt: int, run_after: datetime | None) -> None:
    from marketplace.tasks import stock_push_task

    stock_push_task.using(run_after=run_after).enqueue(product_id=product_id, attempt=attempt)


def stock_push(*, product_id: str, attempt: int = 1) -> dict[str, int]:
    """Push the product's current stock to every connected platform it is listed on.

    Returns {"pushed": n, "skipped": n, "failed": n}. A listing already at the latest sequence
    is skipped (that is the coalescing: the first task of a burst pushes the final number).
    A retryable failure enqueues the next attempt with backoff; the retry reads the stock
    again, so it too pushes the number current then."""
    with transaction.atomic():
        request = StockPushRequest.objects.select_for_update().filter(pk=product_id).first()
        if request is None:
            return {"pushed": 0, "skipped": 0, "failed": 0}
        request.queued = False
        request.save(update_fields=["queued"])
        seq = request.seq
    counts = {"pushed": 0, "skipped": 0, "failed": 0}
    retry_after: float | None = None
    again = False
    for listing_id in list(_listed_connected(product_id).values_list("pk", flat=True)):
        outcome, wait = _push_listing(listing_id, seq)
        counts[outcome if outcome in counts else "failed"] += 1
        if outcome == "retry":
            again = True
            retry_after = max(retry_after or 0, wait or 0) or None
    if again and attempt < MAX_ATTEMPTS:
        run_after = timezone.now() + timedelta(seconds=backoff_seconds(attempt, retry_after))
        transaction.on_commit(partial(_enqueue_push, str(product_id), attempt + 1, run_after))
    return counts


def _push_listing(listing_id: Any, seq: int) -> tuple[str, float | None]:
    with transaction.atomic():
        listing = MarketplaceListing.objects.select_for_update().get(pk=listing_id)
        if listing.pushed_seq >= seq:
            return "skipped", None
        connection = MarketplaceConnection.objects.filter(
            store_id=listing.store_id, platform=listing.platform, status=MarketplaceConnection.Status.CONNECTED
        ).first()
        if connection is None:
            return "skipped", None
        if not store_feature_enabled(store=connection.store, feature=FEATURE):
            return "skipped", None
        try:
            connection = _usable(connection)
        except Conflict as exc:
            listing.stock_error = str(exc.message)[:500]
            listing.save(update_fields=["stock_error", "updated_at"])
            return "failed", None
        # Read after the lock: whatever push ran before us, ours carries the newest number.
        stock = sellable_stock(listing.product_id)
        unlisted = (
            stock == 0
            and not Product.objects.filter(
                pk=listing.product_id, status=Product.Status.ACTIVE, deleted_at__isnull=True, store__is_active=True
            ).exists()
        )
        try:
            result = get_channel(listing.platform).update_stock(
                tokens_of(connection), [StockUpdate(listing.external_id, listing.external_sku_id, stock)]
            )[0]
        except ChannelError as exc:
            listing.stock_error = str(exc.detail)[:500]
            listing.save(update_fields=["stock_error", "updated_at"])
            return ("retry" if exc.retryable else "failed"), exc.retry_after
        if not result.ok:
            if result.error_code in ITEM_NOT_FOUND.get(listing.platform, set()):
                # The item is gone there: stop pushing to it; the next sync creates it again.
                _listings_forget(MarketplaceListing.objects.filter(pk=listing.pk))
                MarketplaceListing.objects.filter(pk=listing.pk).update(
                    stock_error=(result.error_message or result.error_code)[:500]
                )
                return "failed", None
            listing.stock_error = (result.error_message or result.error_code)[:500]
            listing.save(update_fields=["stock_error", "updated_at"])
            return ("retry" if result.retryable else "failed"), None
        listing.pushed_stock = stock
        listing.pushed_seq = seq
        listing.pushed_at = timezone.now()
        listing.stock_error = ""
        if unlisted:
            listing.status = MarketplaceListing.Status.UNLISTED
        elif listing.status == MarketplaceListing.Status.UNLISTED:
            # Back on sale: the platform item was never removed, only emptied.
            listing.status = MarketplaceListing.Status.LIVE
        listing.save(update_fields=["pushed_stock", "pushed_seq", "pushed_at", "stock_error", "status", "updated_at"])
    return "pushed", None


# --- channel orders ------------------------------------------------------------------------


def channel_order_record(*, connection: MarketplaceConnection, data: ChannelOrderData) -> tuple[ChannelOrder, str]:
    """Apply a platform order once (deduplicated by platform + order id).

    Outcome: "applied" (our stock went down through the checkout's guarded update),
    "attention" (stock short or an item unknown: nothing taken, the seller must act),
    "cancelled" (stock given back when it was taken), "duplicate" (nothing changed)."""
    platform = connection.platform
    with transaction.atomic():
        existing = (
            ChannelOrder.objects.select_for_update()
            .filter(platform=platform, external_order_id=data.external_order_id)
            .first()
        )
        if existing is not None:
            return existing, _order_update(existing, data)
        lines, unknown = _match_lines(connection, data)
        state, taken = ChannelOrder.State.APPLIED, False
        code, code_params = "", {}
        try:
            with transaction.atomic():  # savepoint: the stock and the row go in together or not at all
                if data.cancelled:
                    state = ChannelOrder.State.CANCELLED
                elif unknown:
                    state = ChannelOrder.State.ATTENTION
                    code = "unknown_items"
                    code_params = {"platform": PLATFORM_NAMES[platform], "items": ", ".join(unknown)[:200]}
                else:
                    state, taken, code, code_params = _take_stock(connection.store_id, lines)
                order = ChannelOrder.objects.create(
                    store_id=connection.store_id,
                    platform=platform,
                    external_order_id=data.external_order_id,
                    platform_status=data.status[:40],
                    state=state,
                    stock_taken=taken,
                    attention_reason=attention_english(code, code_params)[:300] if code else "",
                    attention_code=code,
                    attention_params=code_params,
                    buyer_name=data.buyer_name[:200],
                    total=max(int(data.total), 0),
                    lines=lines,
                    placed_at=data.created_at,
                )
        except IntegrityError:
            # The same order arrived twice at once (webhook and poll): the other one applied it.
            return ChannelOrder.objects.get(platform=platform, external_order_id=data.external_order_id), "duplicate"
    return order, str(state)


def _take_stock(store_id: Any, lines: list[dict]) -> tuple[str, bool, str, dict]:
    """Take the order's stock through the checkout's guarded update, unless a product is not
    for sale here (archived, draft, deleted, store suspended: its platform listing was emptied,
    an order that still slipped through must not take stock). (state, taken, code, params)."""
    ids = {UUID(line["product_id"]) for line in lines}
    rows = Product.objects.filter(pk__in=ids).values("pk", "name", "status", "deleted_at", "store__is_active")
    closed = sorted(r["name"] for r in rows if not _is_sellable(r["status"], r["deleted_at"], r["store__is_active"]))
    if closed:
        return ChannelOrder.State.ATTENTION, False, "not_for_sale", {"product": ", ".join(closed)[:200]}
    try:
        with transaction.atomic():
            stock_take_guarded(
                [(UUID(line["product_id"]), line["quantity"], line["product_name"]) for line in lines],
                store_id=store_id,
            )
    except Conflict as exc:
        return ChannelOrder.State.ATTENTION, False, "not_enough_stock", {"product": str(exc.params.get("product", ""))}
    return ChannelOrder.State.APPLIED, True, "", {}


def _match_lines(connection: MarketplaceConnection, data: ChannelOrderData) -> tuple[list[dict], list[str]]:
    ids = [line.external_id for line in data.lines]
    listings = {
        listing.external_id: listing
        for listing in MarketplaceListing.objects.filter(
            store_id=connection.store_id, platform=connection.platform, external_id__in=ids
        ).select_related("product")
    }
    lines, unknown = [], []
    for line in data.lines:
        listing = listings.get(line.external_id)
        if listing is None:
            # A seller SKU we set (our product id) also identifies the product.
            product = None
            try:
                product = Product.objects.filter(store_id=connection.store_id, pk=UUID(line.sku)).first()
            except ValueError:
                product = None
            if product is None:
                unknown.append(line.external_id or line.sku)
                lines.append(
                    {
                        "external_id": line.external_id,
                        "sku": line.sku,
                        "quantity": line.quantity,
                        "unit_price": line.unit_price,
                        "product_id": "",
                        "product_name": "",
                    }
                )
                continue
        else:
            product = listing.product
        lines.append(
            {
                "external_id": line.external_id,
                "sku": line.sku,
                "quantity": int(line.quantity),
                "unit_price": int(line.unit_price),
                "product_id": str(product.pk),
                "product_name": product.name,
            }
        )
    return lines, unknown


def _order_update(order: ChannelOrder, data: ChannelOrderData) -> str:
    changed = order.platform_status != data.status[:40]
    order.platform_status = data.status[:40]
    if data.cancelled and order.state != ChannelOrder.State.CANCELLED:
        if order.stock_taken:
            for line in sorted(order.lines, key=lambda x: x["product_id"]):
                Product.objects.filter(pk=line["product_id"]).update(stock=F("stock") + line["quantity"])
                publish_stock_changed(line["product_id"], order.store_id)
            order.stock_taken = False
        order.state = ChannelOrder.State.CANCELLED
        order.save()
        return "cancelled"
    if changed:
        order.save(update_fields=["platform_status", "updated_at"])
    return "duplicate"


def _attention_order(store: Store, order_id: Any) -> ChannelOrder:
    try:
        pk = UUID(str(order_id or "").strip())
    except ValueError as exc:
        raise ValidationFailed(
            _("Invalid order id"), code="invalid_order_id", fields={"order_id": [_("Invalid id")]}
        ) from exc
    order = ChannelOrder.objects.select_for_update().filter(store=store, pk=pk).first()
    if order is None:
        raise NotFound(_("Order not found"), code="channel_order_not_found")
    if order.state != ChannelOrder.State.ATTENTION:
        raise Conflict(_("This order no longer needs attention"), code="channel_order_not_attention")
    return order


def channel_order_retry(*, actor: User, order_id: Any) -> ChannelOrder:
    """Try again to take the stock of a channel order that needed attention (after a restock or
    putting the product back on sale). The order becomes `applied` when the stock is taken;
    otherwise it stays `attention` with the new reason. Raises ValidationFailed (bad id),
    NotFound (not this store's), Conflict (not waiting for attention)."""
    store = _seller_store(actor)
    with transaction.atomic():
        order = _attention_order(store, order_id)
        if any(not line.get("product_id") for line in order.lines):
            raise Conflict(
                _("An item of this order is not one of your products; handle it on the platform"),
                code="channel_order_unknown_items",
            )
        state, taken, code, params = _take_stock(store.pk, order.lines)
        order.state, order.stock_taken = state, taken
        order.attention_code, order.attention_params = code, params
        order.attention_reason = attention_english(code, params)[:300] if code else ""
        order.save()
    return order


def channel_order_resolve(*, actor: User, order_id: Any) -> ChannelOrder:
    """Mark a channel order that needed attention as handled by the seller (she cancelled it
    on the platform or settled it by hand); no stock changes. Errors as channel_order_retry."""
    store = _seller_store(actor)
    with transaction.atomic():
        order = _attention_order(store, order_id)
        order.state = ChannelOrder.State.RESOLVED
        order.save(update_fields=["state", "updated_at"])
    return order


def listing_status_set(*, platform: str, external_id: str, status: str) -> int:
    """Record the platform's word on a listing ("live", "pending_review", "failed"); an emptied
    (unlisted) listing stays unlisted. Returns the rows changed."""
    if status not in (
        MarketplaceListing.Status.LIVE,
        MarketplaceListing.Status.PENDING_REVIEW,
        MarketplaceListing.Status.FAILED,
    ):
        return 0
    return (
        MarketplaceListing.objects.filter(platform=platform, external_id=external_id)
        .exclude(status__in=[status, MarketplaceListing.Status.UNLISTED])
        .update(status=status, updated_at=timezone.now())
    )


def listings_review_poll(*, connection: MarketplaceConnection) -> int:
    """Ask the platform about the store's listings still in QC/audit and record its answer.
    Returns how many are still in review (the caller polls again sooner while any are)."""
    channel = get_channel(connection.platform)
    reader = getattr(channel, "listing_status", None)
    pending = list(
        MarketplaceListing.objects.filter(
            store_id=connection.store_id,
            platform=connection.platform,
            status=MarketplaceListing.Status.PENDING_REVIEW,
        )
        .exclude(external_id="")
        .values_list("external_id", flat=True)[:100]
    )
    if reader is None or not pending:
        return 0
    tokens = tokens_of(_usable(connection))
    still = 0
    for external_id in pending:
        status = reader(tokens, external_id)
        listing_status_set(platform=connection.platform, external_id=external_id, status=status)
        still += status in ("", MarketplaceListing.Status.PENDING_REVIEW)
    return still


def orders_poll(*, connection: MarketplaceConnection) -> int:
    """Pull orders updated since the last poll (with overlap; duplicates do nothing).
    Returns how many orders were new or changed."""
    connection = _usable(connection)
    started = timezone.now()
    since = (connection.last_order_poll_at or connection.connected_at or started) - POLL_OVERLAP
    changed = 0
    for data in get_channel(connection.platform).fetch_orders(tokens_of(connection), since=since):
        _order, outcome = channel_order_record(connection=connection, data=data)
        changed += outcome != "duplicate"
    MarketplaceConnection.objects.filter(pk=connection.pk).update(last_order_poll_at=started)
    return changed


def push_received(*, platform: str, events: list) -> str:
    """Apply verified platform pushes (PushEvent list). Outcome for the webhook log."""
    outcomes = []
    for event in events:
        connection = MarketplaceConnection.objects.filter(
            platform=platform, shop_id=event.shop_id, status=MarketplaceConnection.Status.CONNECTED
        ).first()
        if connection is None:
            outcomes.append("unknown_shop")
            continue
        if event.kind == "order" and event.external_id:
            data = get_channel(platform).get_order(tokens_of(_usable(connection)), event.external_id)
            _order, outcome = channel_order_record(connection=connection, data=data)
            outcomes.append(outcome)
        elif event.kind == "listing_status" and event.external_id:
            # QC/audit finished (or failed) on the platform: the listing says what it says.
            from_platform = str((event.data or {}).get("status", ""))
            status = {"ACTIVATE": "live", "PENDING": "pending_review", "FAILED": "failed"}.get(from_platform, "")
            listing_status_set(platform=platform, external_id=event.external_id, status=status)
            outcomes.append("listing_status")
        elif event.kind == "deauthorized":
            MarketplaceConnection.objects.filter(pk=connection.pk).update(
                status=MarketplaceConnection.Status.DISCONNECTED, access_token="", refresh_token=""
            )
            outcomes.append("deauthorized")
        elif event.kind == "authorization_expiring":
            MarketplaceConnection.objects.filter(pk=connection.pk).update(
                last_error="The platform authorization expires soon; connect again"
            )
            outcomes.append("expiring")
        else:
            outcomes.append("ignored")
    return ",".join(outcomes)[:40] or "empty"


# --- simulator controls (dashboard buttons, demo, tests) -----------------------------------------


def simulator_order(*, actor: User, platform: str, product_id: Any, quantity: int = 1) -> ChannelOrder | None:
    """A simulated buyer orders the product on `platform` (simulator mode only); the platform's
    signed push is delivered to our webhook in this process. Returns the recorded channel order.

    Raises ValidationFailed (not a simulator, product not listed there), ChannelError (the
    platform refused: out of stock there)."""
    store = _seller_store(actor)
    platform = _platform(platform)
    try:
        product_id = UUID(str(product_id or "").strip())
    except ValueError as exc:
        # A form or client sent no product or a malformed id: a clear 400, nothing changed.
        raise ValidationFailed(
            _("Choose a product"), code="invalid_product_id", fields={"product_id": [_("Invalid id")]}
        ) from exc
    connection = _connected(store, platform)
    channel = get_channel(platform)
    if not getattr(channel, "is_simulator", False):
        raise ValidationFailed(_("Simulated orders exist only in simulator mode"), code="not_simulator")
    listing = (
        MarketplaceListing.objects.filter(store=store, platform=platform, product_id=product_id)
        .exclude(external_id="")
        .first()
    )
    if listing is None:
        raise ValidationFailed(_("Sync this product to the platform first"), code="not_listed")
    order_id = channel.simulate_order(
        shop_id=connection.shop_id, lines=[(listing.external_id, int(quantity))], buyer_name="Pembeli Simulasi"
    )
    from marketplace.webhook import in_process_push_transport

    if hasattr(channel, "push_transport"):
        # Deliver the signed push to our webhook in this process (no HTTP call to ourselves).
        channel.push_transport = in_process_push_transport(platform)
    try:
        channel.deliver_pushes()
    except Exception:  # noqa: BLE001 - a push that cannot be delivered now is pulled below
        logger.warning("Simulated %s push could not be delivered", platform, exc_info=True)
    order = ChannelOrder.objects.filter(platform=platform, external_order_id=order_id).first()
    if order is None:
        # The push did not arrive (the webhook URL is not reachable from here): pull the order,
        # as the polling round would; a late push is then a duplicate.
        data = channel.get_order(tokens_of(_usable(connection)), order_id)
        order, _outcome = channel_order_record(connection=connection, data=data)
    return order
