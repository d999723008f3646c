"""The sales-channel interface: what TokoBLITAR needs from Shopee, Lazada and TikTok Shop
(Tokopedia listings), whichever is behind it (the live API or its simulator).

One class per platform implements `MarketplaceChannel`; the provider registry picks live or
simulator (`tokoblitar.provider_settings`, kinds "shopee", "lazada", "tokopedia"), so
`get_provider(platform)` returns a channel. The route contract's platform names are the kinds.

Design rule for every platform (providers-2.md sections 3-5 give the wire facts):
- The live class speaks the platform's HTTP API with `httpx` and its request signing.
- The simulator class is the live class with an `httpx.MockTransport` whose handler is a
  stateful implementation of the platform's HTTP API (state in `SimulatorRecord` rows, so the
  web process and the task worker see the same platform), which checks signatures,
  timestamps, single-use codes, token lifetimes, limits and answers with the platform's own
  error envelope. So the simulator drives the same client code path, and the same handler
  served on 127.0.0.1 (`marketplace.channels.fakeserver`) is the fake server the live client
  is tested against.
- Channels never touch our models: services pass plain data in and get plain data back.
  Errors are `ChannelError`; services decide what they mean for the seller.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from tokoblitar.errors import ProviderError

PLATFORMS = ("tokopedia", "shopee", "lazada")
# Names for people: a Tokopedia listing is made through TikTok Shop (providers-2.md section 5).
PLATFORM_NAMES = {"tokopedia": "Tokopedia (TikTok Shop)", "shopee": "Shopee", "lazada": "Lazada"}


class ChannelError(ProviderError):
    """A platform refused or failed a call.

    `platform`: "shopee" | "lazada" | "tokopedia"; `platform_code`: the platform's own code
    (`error_auth`, `E901`, `36009002`, …); `retryable`: worth retrying later (network, 5xx,
    throttling); `retry_after`: seconds the platform asked us to wait, when it said;
    `auth_failed`: the tokens are no longer accepted (reconnect or refresh needed)."""

    default_code = "marketplace_error"

    def __init__(
        self,
        platform: str,
        message: str,
        *,
        platform_code: str = "",
        retryable: bool = False,
        retry_after: float | None = None,
        auth_failed: bool = False,
        status: int = 0,
    ):
        self.platform = platform
        self.platform_code = platform_code
        self.retryable = retryable
        self.retry_after = retry_after
        self.auth_failed = auth_failed
        self.status = status
        self.detail = message
        # The platform's own words go in a parameter (shown as received), never in the msgid.
        # ProviderError's first argument is the provider's name (the message comes second).
        super().__init__(
            PLATFORM_NAMES.get(platform, platform),
            _("%(platform_name)s answered: %(detail)s"),
            code="marketplace_throttled" if retry_after is not None or platform_code in THROTTLE_CODES else None,
            params={
                "platform": platform,
                "platform_name": PLATFORM_NAMES.get(platform, platform),
                "platform_code": platform_code,
                "detail": message,
            },
        )


# The platforms' throttling codes (providers-2.md): Lazada E901, TikTok Shop 36009002.
THROTTLE_CODES = {"E901", "36009002", "error_system_busy"}


@dataclass
class TokenSet:
    """Tokens and the shop they open. Times are aware datetimes (UTC).

    `refresh_expires_at` None = the platform gives no refresh deadline (or refresh is not
    possible: Lazada's `refresh_expires_in = 0`, then `refreshable` is False). `shop_id`: the
    platform's shop/seller id; `shop_name`: for people; `extra`: what later calls need
    (TikTok Shop's `shop_cipher`, Lazada's `country`, Shopee's `merchant_id`)."""

    access_token: str
    refresh_token: str
    access_expires_at: datetime
    refresh_expires_at: datetime | None
    shop_id: str
    shop_name: str = ""
    refreshable: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class ListingInput:
    """Our product as a platform needs it. Money in rupiah (int), weight in grams (int).

    `sku`: our stable seller SKU (the product's id as text unless it has a SKU); `external_id`:
    the platform's item id when the product was listed before (then it is updated, not
    created); `image_urls`: absolute public URLs of our renditions (platforms fetch them);
    `category_id`: the platform's category id chosen by our per-platform category map;
    `idempotency_key`: stable per (product, platform, create attempt) so a retried create does not
    make a second listing where the platform supports it (TikTok Shop)."""

    product_id: str
    sku: str
    name: str
    description: str
    price: int
    stock: int
    weight_grams: int
    image_urls: list[str]
    category_id: str
    external_id: str = ""
    idempotency_key: str = ""


@dataclass
class ListingResult:
    """The outcome for one product. `status`: "live" | "pending_review" (QC/audit) | "failed";
    `error_code`/`error_message`: the platform's words when failed; `external_sku_id`: the
    platform's SKU/model id that stock updates need (Shopee model_id 0, Lazada SellerSku,
    TikTok Shop sku id)."""

    product_id: str
    ok: bool
    external_id: str = ""
    external_sku_id: str = ""
    status: str = "live"
    error_code: str = ""
    error_message: str = ""
    retryable: bool = False


@dataclass
class StockUpdate:
    """One stock push: the platform's ids and the new absolute quantity (units)."""

    external_id: str
    external_sku_id: str
    stock: int


@dataclass
class StockResult:
    external_id: str
    ok: bool
    error_code: str = ""
    error_message: str = ""
    retryable: bool = False


@dataclass
class ChannelOrderLine:
    """A line of a platform order: matched to our product by `external_id`/`sku`. Price rupiah."""

    external_id: str
    sku: str
    quantity: int
    unit_price: int
    external_line_id: str = ""


@dataclass
class ChannelOrderData:
    """An order placed on a platform. `status`: the platform's own status word (kept as is);
    `cancelled`: the platform says it is cancelled (stock goes back); `total`: rupiah."""

    external_order_id: str
    status: str
    lines: list[ChannelOrderLine]
    created_at: datetime
    buyer_name: str = ""
    total: int = 0
    cancelled: bool = False


@dataclass
class PushEvent:
    """What a platform push (webhook) means. `kind`: "order" (an order was created or changed:
    fetch it), "deauthorized", "authorization_expiring", "listing_status" (QC/audit result),
    or "other" (acknowledged, ignored). `shop_id`: whose; `external_id`: the order or item id;
    `event_id`: the platform's id for deduplication when it has one."""

    kind: str
    shop_id: str
    external_id: str = ""
    event_id: str = ""
    data: dict[str, Any] = field(default_factory=dict)


class MarketplaceChannel(ABC):
    """What every platform implements. `platform` is the route name ("shopee", "lazada",
    "tokopedia"); `is_simulator` True for the simulator class. Every method raises
    ChannelError on refusal or failure; none touches our database except the simulator's
    platform state."""

    platform: str = ""
    is_simulator: bool = False

    @abstractmethod
    def authorize_url(self, *, state: str, redirect_uri: str) -> str:
        """The URL the seller's browser goes to for consent; it comes back to `redirect_uri`
        with the code (and `state` as given, where the platform carries it; Shopee does not,
        so `redirect_uri` itself carries it)."""

    @abstractmethod
    def exchange_code(self, *, code: str, params: dict[str, str]) -> TokenSet:
        """Tokens for an authorization code. `params`: the other query parameters the platform
        sent back (Shopee's `shop_id` / `main_account_id`)."""

    @abstractmethod
    def refresh(self, tokens: TokenSet) -> TokenSet:
        """A new TokenSet. Shopee's refresh token is single-use: the caller must store the new
        pair before anything else can fail."""

    @abstractmethod
    def upsert_listings(self, tokens: TokenSet, items: list[ListingInput]) -> list[ListingResult]:
        """Create (no external_id) or update each item; one result per item, in order. Item-level
        refusals are results with ok False; a call-level failure raises ChannelError."""

    @abstractmethod
    def update_stock(self, tokens: TokenSet, updates: list[StockUpdate]) -> list[StockResult]:
        """Set absolute stock; one result per update (partial success is normal)."""

    @abstractmethod
    def fetch_orders(self, tokens: TokenSet, *, since: datetime) -> list[ChannelOrderData]:
        """Orders created or updated since `since` (polling; also used after a push)."""

    @abstractmethod
    def get_order(self, tokens: TokenSet, external_order_id: str) -> ChannelOrderData:
        """One order by the platform's id."""

    @abstractmethod
    def verify_push(self, *, url: str, headers: dict[str, str], body: bytes) -> bool:
        """Whether a push really comes from the platform (its signature over the raw body)."""

    @abstractmethod
    def parse_push(self, body: bytes) -> list[PushEvent]:
        """What a verified push means (raise ChannelError on a malformed body)."""


class SimulatedPlatform(ABC):
    """What a simulator class offers besides the channel methods: the platform's side of things,
    for the dashboard's simulator buttons, the demo and tests. Mixed into each Simulator*Channel.

    The simulator's `authorize_url` points to our own consent page
    (`/dashboard/marketplace/simulator/<platform>/authorize`, built by the marketplace app), which
    calls `simulate_consent` and redirects to `redirect_uri` with the returned parameters."""

    @abstractmethod
    def simulate_consent(self, *, shop_name: str = "", seller_key: str = "") -> dict[str, str]:
        """Authorize a simulated shop: the query parameters the platform would append to
        the redirect (a fresh single-use `code`, plus `shop_id` for Shopee, …). The same
        `seller_key` (who logs in on the platform; else the shop name) authorizes the same shop
        again, as on the real platforms, where a shop's id never changes."""

    @abstractmethod
    def simulate_order(self, *, shop_id: str, lines: list[tuple[str, int]], buyer_name: str = "") -> str:
        """A buyer orders on the platform: `lines` = [(external item id, quantity)]. The platform's
        stock goes down, the order is stored and a signed push is queued for our webhook.
        Returns the platform's order id. ChannelError when an item is unknown or out of stock."""

    @abstractmethod
    def simulate_cancel(self, *, shop_id: str, external_order_id: str) -> None:
        """The buyer cancels on the platform; a push is queued."""

    @abstractmethod
    def deliver_pushes(self) -> int:
        """POST every queued push to the webhook URL, signed as the platform signs; a push that
        does not get a 2xx stays queued (retried on the next call, up to the platform's limit).
        Returns how many were delivered."""
