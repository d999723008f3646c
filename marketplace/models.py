"""Sales-channel models. `SimulatorRecord` is the platforms' side of the simulators (what
Shopee, Lazada or TikTok Shop would keep on their servers), shared by every process."""

from __future__ import annotations

import uuid

from django.db import models

from tokoblitar.crypto import EncryptedTextField


class SimulatorRecord(models.Model):
    """One object on a simulated platform: an authorization code, a token, an item, an order,
    a pending push. `platform`: "shopee" | "lazada" | "tokopedia"; `kind`: the object type
    ("code", "token", "item", "order", "push", "rate", …); `key`: its id on that platform;
    `data`: its fields as the platform keeps them."""

    platform = models.CharField(max_length=20)
    kind = models.CharField(max_length=30)
    key = models.CharField(max_length=200)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["platform", "kind", "key"], name="marketplace_simrecord_unique"),
        ]
        indexes = [models.Index(fields=["platform", "kind", "created_at"], name="marketplace_simrecord_recent")]

    def __str__(self) -> str:
        return f"{self.platform} {self.kind} {self.key}"


PLATFORM_CHOICES = [("tokopedia", "Tokopedia (TikTok Shop)"), ("shopee", "Shopee"), ("lazada", "Lazada")]


class MarketplaceConnection(models.Model):
    """A store's authorization on one platform (one per store and platform).

    Tokens are encrypted at rest (`EncryptedTextField`, AES-256-GCM with a key id).
    `token_version` grows on every stored token pair, so a refresh that lost a race sees it.
    `status`: connected (tokens work), expired (refresh no longer possible: reconnect),
    disconnected (the seller or the platform ended it)."""

    class Status(models.TextChoices):
        CONNECTED = "connected", "connected"
        EXPIRED = "expired", "expired"
        DISCONNECTED = "disconnected", "disconnected"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="marketplace_connections")
    platform = models.CharField(max_length=20, choices=PLATFORM_CHOICES)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CONNECTED)
    shop_id = models.CharField(max_length=100, blank=True)
    shop_name = models.CharField(max_length=200, blank=True)
    access_token = EncryptedTextField(blank=True)
    refresh_token = EncryptedTextField(blank=True)
    access_expires_at = models.DateTimeField(null=True, blank=True)
    refresh_expires_at = models.DateTimeField(null=True, blank=True)
    refreshable = models.BooleanField(default=True)
    extra = models.JSONField(default=dict, blank=True)
    token_version = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    connected_at = models.DateTimeField(null=True, blank=True)
    last_sync_at = models.DateTimeField(null=True, blank=True)
    last_order_poll_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "platform"], name="marketplace_connection_store_platform"),
        ]
        indexes = [models.Index(fields=["platform", "shop_id"], name="marketplace_conn_shop")]

    def __str__(self) -> str:
        return f"{self.platform} {self.shop_name or self.shop_id}"


class MarketplaceListing(models.Model):
    """One product on one platform: its ids there, its sync state and the last stock pushed.

    `pushed_seq`: the product's stock-change sequence (`StockPushRequest.seq`) whose number was
    pushed last; a push is made only for a higher sequence, under this row's lock, so a stale
    number never overwrites a newer one."""

    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        LIVE = "live", "live"
        PENDING_REVIEW = "pending_review", "pending_review"
        FAILED = "failed", "failed"
        # Our product is archived, a draft or deleted: stock 0 was pushed, nothing sells there.
        UNLISTED = "unlisted", "unlisted"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="marketplace_listings")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="marketplace_listings")
    platform = models.CharField(max_length=20, choices=PLATFORM_CHOICES)
    external_id = models.CharField(max_length=100, blank=True)
    external_sku_id = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    error_code = models.CharField(max_length=100, blank=True)
    error_message = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    idempotency_key = models.CharField(max_length=64, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    pushed_stock = models.IntegerField(null=True, blank=True)
    pushed_seq = models.BigIntegerField(default=0)
    pushed_at = models.DateTimeField(null=True, blank=True)
    stock_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "platform"], name="marketplace_listing_product_platform"),
        ]
        indexes = [models.Index(fields=["platform", "external_id"], name="marketplace_listing_ext")]

    def __str__(self) -> str:
        return f"{self.platform} {self.external_id or '-'} ({self.status})"


class StockPushRequest(models.Model):
    """Coalescing bookkeeping for one product: `seq` grows with every `stock.changed`;
    `queued` is True while a push task is waiting, so a burst of changes enqueues one task,
    which pushes the stock it reads then (the final number)."""

    product = models.OneToOneField(
        "catalog.Product", on_delete=models.CASCADE, primary_key=True, related_name="marketplace_push"
    )
    seq = models.BigIntegerField(default=0)
    queued = models.BooleanField(default=False)
    changed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"push {self.product_id} seq {self.seq}"


class ChannelOrder(models.Model):
    """An order placed on a platform, once per (platform, platform order id).

    `state`: applied (our stock went down), attention (our stock was short or an item is
    unknown: nothing taken, the seller must act), cancelled (cancelled on the platform; stock
    returned if it was taken). `lines`: [{external_id, sku, quantity, unit_price, product_id,
    product_name}] with our product where matched. Money rupiah."""

    class State(models.TextChoices):
        APPLIED = "applied", "applied"
        ATTENTION = "attention", "attention"
        CANCELLED = "cancelled", "cancelled"
        RESOLVED = "resolved", "resolved"  # was attention; the seller handled it herself

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="channel_orders")
    platform = models.CharField(max_length=20, choices=PLATFORM_CHOICES)
    external_order_id = models.CharField(max_length=100)
    platform_status = models.CharField(max_length=40, blank=True)
    state = models.CharField(max_length=20, choices=State.choices)
    stock_taken = models.BooleanField(default=False)
    attention_reason = models.CharField(max_length=300, blank=True)  # English, for admin and logs
    # The same reason as a stable code + params, rendered in the reader's language
    # (marketplace.reasons.attention_text).
    attention_code = models.CharField(max_length=40, blank=True)
    attention_params = models.JSONField(default=dict, blank=True)
    buyer_name = models.CharField(max_length=200, blank=True)
    total = models.PositiveBigIntegerField(default=0)
    lines = models.JSONField(default=list)
    placed_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["platform", "external_order_id"], name="marketplace_channel_order_unique"),
        ]
        indexes = [models.Index(fields=["store", "-placed_at"], name="marketplace_chorder_store")]

    def __str__(self) -> str:
        return f"{self.platform} {self.external_order_id} ({self.state})"
