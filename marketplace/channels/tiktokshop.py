"""Tokopedia listings through the TikTok Shop Partner API: the live client
(`TikTokShopChannel`, platform "tokopedia"), the platform's side as a stateful HTTP handler
(`TikTokShopPlatform`) and the simulator (`SimulatorTikTokShopChannel` = the live client over
`httpx.MockTransport(TikTokShopPlatform(DbState("tokopedia")))`).

Tokopedia's own Open API was switched off on 30 Sep 2025; an Indonesian seller's Tokopedia
listing is a TikTok Shop product with `listing_platforms: ["TIKTOK_SHOP", "TOKOPEDIA"]`. There
is deliberately no Tokopedia-native endpoint here (the simulator answers 404 to them).

Wire facts (providers-2.md section 5, partner.tiktokshop.com pages cited there):
- API host `https://open-api.tiktokglobalshop.com/{category}/{version}/{resource}`; auth host
  `https://auth.tiktok-shops.com/api/v2/token/get|refresh` (GET with app_key + app_secret, no sign).
- Common query params `app_key`, `timestamp` (unix seconds, accepted from now - 300 s to
  now + 30 s), `sign`, `shop_cipher` on shop APIs; header `x-tts-access-token`.
- `sign = hex(HMAC-SHA256(app_secret, app_secret + path + concat(sorted(key + value)) + body +
  app_secret))`, the sorted params leaving out `sign` and `access_token`; body omitted for
  multipart (page 678e3a3d4ddec3030b238faf).
- Envelope `{code, message, request_id, data}`, code 0 on success; 105002 expired token, 106001
  bad signature, 36009004 bad/missing timestamp or credentials or a shop_cipher where none is
  allowed, 106013 missing shop_cipher, 101000 token not valid for this shop, 36009002 too many
  requests (HTTP 429; 50 QPS per API per app + shop).
- auth_code valid 30 min, single use; access token about 7 days (`access_token_expire_in` is a
  unix time).
- Create product `POST /product/202309/products` with `save_mode` (LISTING | AS_DRAFT),
  `listing_platforms`, `idempotency_key` (<= 128 chars: the same key gives the same product);
  new products go to audit ("PENDING").
- Inventory `POST /product/202309/products/{id}/inventory/update {skus: [{id, inventory:
  [{warehouse_id, quantity}]}]}`, per-SKU errors in `data`.
- Webhooks: `Authorization = hex(HMAC-SHA256(app_secret, app_key + raw_body))` [unverified,
  secondary: easycb-go]; payload `{type, tts_notification_id, shop_id, timestamp, data}`;
  acknowledged by 200 within 3 s, retried at +2 min, +30 min, +3 h, +12 h, then dropped.

Error codes not listed above are marked [unverified] where used. Money: TikTok Shop takes
prices as `{"amount": "<decimal string>", "currency": "IDR"}`; we send whole rupiah ("35000").
Package weight goes as `{"value": "<kg>", "unit": "KILOGRAM"}` from our grams.

Known gap: the real API wants `main_images[].uri` values returned by its image upload API
(`/product/202309/images/upload`); this client sends our public image URLs there and the
simulator accepts them. Uploading first is left for later.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import httpx

from marketplace.channels.base import (
    ChannelError,
    ChannelOrderData,
    ChannelOrderLine,
    ListingInput,
    ListingResult,
    MarketplaceChannel,
    PushEvent,
    SimulatedPlatform,
    StockResult,
    StockUpdate,
    TokenSet,
)
from marketplace.channels.simstate import deliver_signed_pushes

PLATFORM = "tokopedia"
DEFAULT_API_URL = "https://open-api.tiktokglobalshop.com"
DEFAULT_AUTH_URL = "https://auth.tiktok-shops.com"
AUTHORIZE_URL = "https://services.tiktokshop.com/open/authorize"

TIMESTAMP_PAST_SECONDS = 300
TIMESTAMP_FUTURE_SECONDS = 30
CODE_LIFETIME_SECONDS = 30 * 60
ACCESS_LIFETIME_SECONDS = 7 * 86400
REFRESH_LIFETIME_SECONDS = 365 * 86400  # [unverified]: the docs give it per app in the response
AUDIT_SECONDS = 24 * 3600
QPS = 50
IDEMPOTENCY_KEY_MAX = 128
PUSH_ACK_SECONDS = 3.0
# Waits before each retry, measured from the previous failure; none after the 4th retry.
PUSH_RETRY_SECONDS = (120, 1800, 3 * 3600, 12 * 3600)
LISTING_PLATFORMS = ["TIKTOK_SHOP", "TOKOPEDIA"]

# Codes (strings, as ChannelError keeps them).
OK = 0
EXPIRED_TOKEN = 105002
INVALID_TOKEN = 105001  # [unverified] unknown access token
TOKEN_NOT_FOR_SHOP = 101000
BAD_SIGN = 106001
BAD_REQUEST_COMMON = 36009004
MISSING_CIPHER = 106013
TOO_MANY = 36009002
BAD_AUTH_CODE = 36004004  # [unverified] invalid or used auth_code
BAD_REFRESH = 36004005  # [unverified] invalid or expired refresh_token
PARAM_ERROR = 40002  # [unverified] generic parameter error
NOT_FOUND = 40004  # [unverified] product / order / sku not found
NO_PATH = 40400  # [unverified] unknown path
AUTH_CODES = {str(c) for c in (EXPIRED_TOKEN, INVALID_TOKEN, TOKEN_NOT_FOR_SHOP, BAD_REFRESH)}
THROTTLE_RETRY_SECONDS = 1.0

# Webhook types (partner.tiktokshop.com webhook list) [unverified numbering].
WEBHOOK_ORDER_STATUS = 1
WEBHOOK_PRODUCT_STATUS = 5
WEBHOOK_DEAUTHORIZED = 6
WEBHOOK_AUTH_EXPIRING = 7


def _status_of(platform_status: str) -> str:
    """TikTok Shop's product status as our listing status ("" when unknown)."""
    if platform_status == "PENDING":
        return "pending_review"
    if platform_status in ("ACTIVATE", "SELLER_DEACTIVATED", "PLATFORM_DEACTIVATED"):
        return "live"
    return "failed" if platform_status in ("FAILED", "FREEZE", "DELETED") else ""


PUSH_KINDS = {
    WEBHOOK_ORDER_STATUS: "order",
    WEBHOOK_PRODUCT_STATUS: "listing_status",
    WEBHOOK_DEAUTHORIZED: "deauthorized",
    WEBHOOK_AUTH_EXPIRING: "authorization_expiring",
}


def tts_sign(app_secret: str, path: str, params: dict[str, Any], body: str = "") -> str:
    """TikTok Shop's request signature (lowercase hex): HMAC-SHA256 keyed by app_secret over
    app_secret + path + sorted key+value (no `sign`, no `access_token`) + body + app_secret."""
    joined = "".join(f"{k}{params[k]}" for k in sorted(params) if k not in ("sign", "access_token"))
    message = f"{app_secret}{path}{joined}{body}{app_secret}"
    return hmac.new(app_secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def push_signature(app_key: str, app_secret: str, body: bytes) -> str:
    """The webhook `Authorization` value: hex HMAC-SHA256(app_secret, app_key + raw body)."""
    return hmac.new(app_secret.encode(), app_key.encode() + body, hashlib.sha256).hexdigest()


def _new_id() -> str:
    return str(secrets.randbelow(9 * 10**18) + 10**18)


# ---------------------------------------------------------------------------------------------
# The platform's side
# ---------------------------------------------------------------------------------------------

_PRODUCT = re.compile(r"^/product/202309/products/(\d+)$")
_INVENTORY = re.compile(r"^/product/202309/products/(\d+)/inventory/update$")


class TikTokShopPlatform:
    """TikTok Shop's HTTP API as a stateful `httpx.Request -> httpx.Response` handler.

    `state`: `DbState("tokopedia")` or `MemoryState("tokopedia")`; `app_key`/`app_secret`: the
    one app it knows; `now`: clock in epoch seconds (tests move it instead of sleeping);
    `audit_seconds`: how long a listed product stays "PENDING" before "ACTIVATE"; `qps`: calls
    per second per API per app + shop before 429 / 36009002; `duplicate_pushes`: every
    acknowledged webhook is sent a second time (at-least-once delivery).

    Objects kept: code, shop, shop_name, token, refresh, product, sku, idem, order, push, rate."""

    def __init__(
        self,
        state: Any,
        *,
        app_key: str,
        app_secret: str,
        now: Callable[[], float] = time.time,
        audit_seconds: float = AUDIT_SECONDS,
        qps: int = QPS,
        duplicate_pushes: bool = False,
    ):
        self.state = state
        self.app_key = app_key
        self.app_secret = app_secret
        self.now = now
        self.audit_seconds = audit_seconds
        self.qps = qps
        self.duplicate_pushes = duplicate_pushes

    # -- envelope -------------------------------------------------------------------------

    @staticmethod
    def _reply(code: int, message: str, data: Any = None, status: int = 200) -> httpx.Response:
        body = {
            "code": code,
            "message": message,
            "request_id": secrets.token_hex(12),
            "data": data if data is not None else {},
        }
        return httpx.Response(status, json=body)

    def _ok(self, data: Any = None) -> httpx.Response:
        return self._reply(OK, "Success", data)

    # -- dispatch -------------------------------------------------------------------------

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        query = dict(request.url.params)
        if path in ("/api/v2/token/get", "/api/v2/token/refresh") and request.method == "GET":
            return self._token(path, query)
        raw = request.read().decode()
        method = request.method
        route: tuple[Callable[..., httpx.Response], str, bool] | None = None  # handler, api name, shop-scoped
        match_product = _PRODUCT.match(path)
        match_inventory = _INVENTORY.match(path)
        if path == "/authorization/202309/shops" and method == "GET":
            route = (self._shops, "shops", False)
        elif path == "/product/202309/products" and method == "POST":
            route = (self._create_product, "create_product", True)
        elif match_product and method == "PUT":
            route = (self._edit_product(match_product.group(1)), "edit_product", True)
        elif match_product and method == "GET":
            route = (self._product_detail(match_product.group(1)), "product_detail", True)
        elif match_inventory and method == "POST":
            route = (self._inventory(match_inventory.group(1)), "inventory", True)
        elif path == "/order/202309/orders/search" and method == "POST":
            route = (self._order_search, "order_search", True)
        elif path == "/order/202309/orders" and method == "GET":
            route = (self._order_detail, "order_detail", True)
        if route is None:
            # Includes every Tokopedia-native path (fs.tokopedia.net, accounts.tokopedia.com):
            # that API is gone.
            return self._reply(NO_PATH, "Path not found", status=404)
        handler, api, shop_scoped = route
        refused = self._check_common(path, query, raw)
        if refused is not None:
            return refused
        token_value = request.headers.get("x-tts-access-token", "")
        token = self.state.get("token", token_value) if token_value else None
        if token is None:
            return self._reply(INVALID_TOKEN, "Invalid access token")
        if token["expires_at"] <= self.now():
            return self._reply(EXPIRED_TOKEN, "Access token is expired, please refresh it")
        shop_id = token["shop_id"]
        cipher = query.get("shop_cipher", "")
        if shop_scoped:
            if not cipher:
                return self._reply(MISSING_CIPHER, "shop_cipher is required")
            shop = self.state.get("shop", shop_id) or {}
            if shop.get("cipher") != cipher:
                return self._reply(TOKEN_NOT_FOR_SHOP, "The x-tts-access-token is not valid for this shop")
        elif cipher:
            return self._reply(BAD_REQUEST_COMMON, "shop_cipher is not allowed for this API")
        if self._throttled(api, shop_id):
            return self._reply(TOO_MANY, "Too many requests", status=429)
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            return self._reply(PARAM_ERROR, "Invalid JSON body")
        return handler(shop_id, query, body)

    def _check_common(self, path: str, query: dict[str, str], raw: str) -> httpx.Response | None:
        if query.get("app_key") != self.app_key:
            return self._reply(BAD_REQUEST_COMMON, "Invalid app_key")
        try:
            stamp = int(query.get("timestamp", ""))
        except ValueError:
            return self._reply(BAD_REQUEST_COMMON, "Invalid timestamp")
        now = self.now()
        if stamp < now - TIMESTAMP_PAST_SECONDS or stamp > now + TIMESTAMP_FUTURE_SECONDS:
            return self._reply(BAD_REQUEST_COMMON, "Invalid timestamp: it must be within the last 5 minutes")
        expected = tts_sign(self.app_secret, path, query, raw)
        if not hmac.compare_digest(expected, query.get("sign", "")):
            return self._reply(BAD_SIGN, "Invalid signature")
        return None

    def _throttled(self, api: str, shop_id: str) -> bool:
        """A per-second counter per API per app + shop (a "rate" row shared by processes)."""
        key = f"{api}:{shop_id}"
        second = int(self.now())
        row = self.state.get("rate", key) or {}
        count = row.get("n", 0) + 1 if row.get("second") == second else 1
        self.state.put("rate", key, {"second": second, "n": count})
        return count > self.qps

    # -- auth -----------------------------------------------------------------------------

    def _token(self, path: str, query: dict[str, str]) -> httpx.Response:
        if query.get("app_key") != self.app_key or not hmac.compare_digest(
            query.get("app_secret", ""), self.app_secret
        ):
            return self._reply(BAD_REQUEST_COMMON, "Invalid app_key or app_secret")
        now = self.now()
        if path.endswith("/get"):
            if query.get("grant_type") != "authorized_code":
                return self._reply(PARAM_ERROR, "grant_type must be authorized_code")
            row = self.state.take("code", query.get("auth_code", "")) if query.get("auth_code") else None
            if row is None or row["created"] + CODE_LIFETIME_SECONDS < now:
                return self._reply(BAD_AUTH_CODE, "Invalid or expired auth_code")
            shop_id = row["shop_id"]
            refresh = "ROW_" + secrets.token_urlsafe(24)
            refresh_expires = now + REFRESH_LIFETIME_SECONDS
            self.state.put("refresh", refresh, {"shop_id": shop_id, "expires_at": refresh_expires})
        else:
            if query.get("grant_type") != "refresh_token":
                return self._reply(PARAM_ERROR, "grant_type must be refresh_token")
            refresh = query.get("refresh_token", "")
            row = self.state.get("refresh", refresh) if refresh else None
            if row is None or row["expires_at"] <= now:
                return self._reply(BAD_REFRESH, "Invalid or expired refresh_token")
            shop_id, refresh_expires = row["shop_id"], row["expires_at"]
        access = "ROW_" + secrets.token_urlsafe(24)
        self.state.put("token", access, {"shop_id": shop_id, "expires_at": now + ACCESS_LIFETIME_SECONDS})
        shop = self.state.get("shop", shop_id) or {}
        return self._ok(
            {
                "access_token": access,
                "access_token_expire_in": int(now + ACCESS_LIFETIME_SECONDS),  # a unix time, not a duration
                "refresh_token": refresh,
                "refresh_token_expire_in": int(refresh_expires),
                "open_id": shop.get("open_id", ""),
                "seller_name": shop.get("name", ""),
                "seller_base_region": "ID",
                "user_type": 0,
                "granted_scopes": ["seller.product.basic", "seller.order.info", "seller.authorization.info"],
            }
        )

    def _shops(self, shop_id: str, query: dict[str, str], body: dict) -> httpx.Response:
        shop = self.state.get("shop", shop_id) or {}
        return self._ok(
            {
                "shops": [
                    {
                        "id": shop_id,
                        "name": shop.get("name", ""),
                        "region": "ID",
                        "seller_type": "LOCAL",
                        "cipher": shop.get("cipher", ""),
                        "code": shop.get("code", ""),
                    }
                ]
            }
        )

    # -- products -------------------------------------------------------------------------

    def _audit(self, product_id: str, product: dict) -> dict:
        """A listed product passes audit `audit_seconds` after it was submitted; the "Product
        status change" webhook is queued then."""
        if product["status"] == "PENDING" and product["submitted"] + self.audit_seconds <= self.now():
            product["status"] = "ACTIVATE"
            self.state.put("product", product_id, product)
            self._queue_push(
                product["shop_id"],
                WEBHOOK_PRODUCT_STATUS,
                {"product_id": product_id, "status": "ACTIVATE", "update_time": int(self.now())},
            )
        return product

    def _product(self, product_id: str, shop_id: str) -> dict | None:
        product = self.state.get("product", product_id)
        if product is None or product["shop_id"] != shop_id:
            return None
        return self._audit(product_id, product)

    def _validate_product(self, body: dict, *, create: bool) -> str:
        """'' when the body is acceptable, else the reason."""
        if not body.get("title"):
            return "title is required"
        if create and not body.get("category_id"):
            return "category_id is required"
        if create and not body.get("main_images"):
            return "main_images is required"
        skus = body.get("skus")
        if not isinstance(skus, list) or not skus:
            return "skus is required"
        for sku in skus:
            price = (sku.get("price") or {}).get("amount", "")
            try:
                if float(price) <= 0:
                    return "price amount must be greater than 0"
            except (TypeError, ValueError):
                return "price amount is invalid"
            if (sku.get("price") or {}).get("currency") != "IDR":
                return "price currency must be IDR for an Indonesian shop"
        if create:
            if body.get("save_mode", "LISTING") not in ("LISTING", "AS_DRAFT"):
                return "save_mode must be LISTING or AS_DRAFT"
            platforms = body.get("listing_platforms") or ["TIKTOK_SHOP"]
            if not set(platforms) <= set(LISTING_PLATFORMS):
                return "listing_platforms may only hold TIKTOK_SHOP and TOKOPEDIA"
            if len(str(body.get("idempotency_key", ""))) > IDEMPOTENCY_KEY_MAX:
                return "idempotency_key is longer than 128 characters"
        return ""

    @staticmethod
    def _quantity(sku: dict) -> int:
        return sum(int(entry.get("quantity", 0)) for entry in sku.get("inventory") or [])

    def _product_reply(self, product_id: str, product: dict) -> httpx.Response:
        return self._ok(
            {
                "product_id": product_id,
                "skus": [
                    {"id": s["id"], "seller_sku": s["seller_sku"], "sales_attributes": []} for s in product["skus"]
                ],
                "warnings": [],
            }
        )

    def _create_product(self, shop_id: str, query: dict[str, str], body: dict) -> httpx.Response:
        problem = self._validate_product(body, create=True)
        if problem:
            return self._reply(PARAM_ERROR, problem)
        key = str(body.get("idempotency_key", ""))
        if key:
            seen = self.state.get("idem", f"{shop_id}:{key}")
            if seen is not None:
                product = self.state.get("product", seen["product_id"])
                if product is not None:
                    return self._product_reply(seen["product_id"], product)  # same key, same product
        product_id = _new_id()
        skus = [
            {
                "id": _new_id(),
                "seller_sku": str(sku.get("seller_sku", "")),
                "price": str(sku["price"]["amount"]),
                "quantity": self._quantity(sku),
            }
            for sku in body["skus"]
        ]
        listed = body.get("save_mode", "LISTING") == "LISTING"
        product = {
            "shop_id": shop_id,
            "title": body["title"],
            "category_id": str(body["category_id"]),
            "listing_platforms": body.get("listing_platforms") or ["TIKTOK_SHOP"],
            "status": "PENDING" if listed else "DRAFT",  # listed products go to audit
            "submitted": self.now(),
            "skus": skus,
        }
        self.state.put("product", product_id, product)
        for sku in skus:
            self.state.put("sku", sku["id"], {"product_id": product_id})
        if key:
            self.state.put("idem", f"{shop_id}:{key}", {"product_id": product_id})
        return self._product_reply(product_id, product)

    def _product_detail(self, product_id: str) -> Callable[..., httpx.Response]:
        def detail(shop_id: str, query: dict[str, str], body: dict) -> httpx.Response:
            product = self._product(product_id, shop_id)
            if product is None:
                return self._reply(NOT_FOUND, "Product not found")
            return self._ok({"id": product_id, "status": product["status"]})

        return detail

    def _edit_product(self, product_id: str) -> Callable[..., httpx.Response]:
        def edit(shop_id: str, query: dict[str, str], body: dict) -> httpx.Response:
            product = self._product(product_id, shop_id)
            if product is None:
                return self._reply(NOT_FOUND, "Product not found")
            problem = self._validate_product(body, create=False)
            if problem:
                return self._reply(PARAM_ERROR, problem)
            old = {s["seller_sku"]: s for s in product["skus"]}
            skus = []
            for sku in body["skus"]:
                keep = old.get(str(sku.get("seller_sku", "")))
                entry = {
                    "id": keep["id"] if keep else _new_id(),  # SKUs matched by seller_sku keep their id
                    "seller_sku": str(sku.get("seller_sku", "")),
                    "price": str(sku["price"]["amount"]),
                    "quantity": self._quantity(sku) if sku.get("inventory") else (keep or {}).get("quantity", 0),
                }
                skus.append(entry)
                self.state.put("sku", entry["id"], {"product_id": product_id})
            product.update({"title": body["title"], "skus": skus})
            if product["status"] == "ACTIVATE":
                product.update({"status": "PENDING", "submitted": self.now()})  # an edit is audited again
            self.state.put("product", product_id, product)
            return self._product_reply(product_id, product)

        return edit

    def _inventory(self, product_id: str) -> Callable[..., httpx.Response]:
        def update(shop_id: str, query: dict[str, str], body: dict) -> httpx.Response:
            product = self._product(product_id, shop_id)
            if product is None:
                return self._reply(NOT_FOUND, "Product not found")
            skus = body.get("skus")
            if not isinstance(skus, list) or not skus:
                return self._reply(PARAM_ERROR, "skus is required")
            errors = []
            mine = {s["id"]: s for s in product["skus"]}
            for sku in skus:
                sku_id = str(sku.get("id", ""))
                inventory = sku.get("inventory") or []
                quantity = sum(int(entry.get("quantity", -1)) for entry in inventory) if inventory else -1
                if sku_id not in mine:
                    errors.append({"code": NOT_FOUND, "message": "SKU not found", "detail": {"sku_id": sku_id}})
                elif quantity < 0 or any(int(entry.get("quantity", -1)) < 0 for entry in inventory):
                    errors.append(
                        {"code": PARAM_ERROR, "message": "quantity must be >= 0", "detail": {"sku_id": sku_id}}
                    )
                else:
                    mine[sku_id]["quantity"] = quantity
            self.state.put("product", product_id, product)
            return self._ok({"errors": errors} if errors else {})

        return update

    # -- orders ---------------------------------------------------------------------------

    @staticmethod
    def _order_view(order_id: str, order: dict) -> dict:
        return {
            "id": order_id,
            "status": order["status"],
            "create_time": int(order["created"]),
            "update_time": int(order["updated"]),
            "recipient_address": {"name": order["buyer_name"]},
            "payment": {"total_amount": str(order["total"]), "currency": "IDR"},
            "line_items": order["lines"],
        }

    def _order_search(self, shop_id: str, query: dict[str, str], body: dict) -> httpx.Response:
        try:
            page_size = int(query.get("page_size", ""))
        except ValueError:
            return self._reply(PARAM_ERROR, "page_size is required")
        if not 1 <= page_size <= 100:
            return self._reply(PARAM_ERROR, "page_size must be between 1 and 100")
        since = float(body.get("update_time_ge") or body.get("create_time_ge") or 0)
        field = "updated" if body.get("update_time_ge") else "created"
        orders = sorted(
            ((key, o) for key, o in self.state.all("order") if o["shop_id"] == shop_id and o[field] >= since),
            key=lambda pair: pair[1][field],
        )
        start = int(query.get("page_token") or 0)
        page = orders[start : start + page_size]
        following = start + page_size
        return self._ok(
            {
                "orders": [self._order_view(key, o) for key, o in page],
                "next_page_token": str(following) if following < len(orders) else "",
                "total_count": len(orders),
            }
        )

    def _order_detail(self, shop_id: str, query: dict[str, str], body: dict) -> httpx.Response:
        ids = [i for i in query.get("ids", "").split(",") if i]
        if not ids or len(ids) > 50:
            return self._reply(PARAM_ERROR, "ids must hold 1 to 50 order ids")
        found = []
        for order_id in ids:
            order = self.state.get("order", order_id)
            if order is not None and order["shop_id"] == shop_id:
                found.append(self._order_view(order_id, order))
        return self._ok({"orders": found})

    # -- the platform's own actions -------------------------------------------------------

    def consent(self, shop_name: str = "", seller_key: str = "") -> str:
        """A seller authorizes our app: a fresh single-use auth_code for its (new or
        same-named) shop."""
        shop_name = shop_name or "Toko Simulasi Tokopedia"
        link_key = seller_key or shop_name  # the same seller gets her same shop again
        link = self.state.get("shop_name", link_key)
        if link is None:
            shop_id = str(secrets.randbelow(9 * 10**17) + 10**17)
            self.state.put(
                "shop",
                shop_id,
                {
                    "name": shop_name,
                    "cipher": "ROW_" + secrets.token_urlsafe(18),
                    "code": "IDLC" + secrets.token_hex(3).upper(),
                    "open_id": secrets.token_urlsafe(16),
                },
            )
            self.state.put("shop_name", link_key, {"shop_id": shop_id})
        else:
            shop_id = link["shop_id"]
        code = "ROW_" + secrets.token_urlsafe(24)
        self.state.put("code", code, {"shop_id": shop_id, "created": self.now()})
        return code

    def place_order(self, shop_id: str, lines: list[tuple[str, int]], buyer_name: str = "") -> str:
        """A buyer orders [(product id, quantity)] (first SKU each); only ACTIVATE products sell.
        TikTok Shop lists one line item per unit. Raises ChannelError when unknown, in audit or short."""
        taken = []
        for product_id, quantity in lines:
            product = self._product(str(product_id), str(shop_id))
            if product is None:
                raise ChannelError(PLATFORM, f"product {product_id} not found", platform_code=str(NOT_FOUND))
            if product["status"] != "ACTIVATE":
                raise ChannelError(PLATFORM, f"product {product_id} is {product['status']}", platform_code="NOT_ACTIVE")
            if quantity <= 0 or product["skus"][0]["quantity"] < quantity:
                raise ChannelError(PLATFORM, f"product {product_id} is out of stock", platform_code="OUT_OF_STOCK")
            taken.append((str(product_id), product, quantity))
        order_id = str(secrets.randbelow(9 * 10**17) + 10**17)
        now = self.now()
        line_items = []
        total = 0
        for product_id, product, quantity in taken:
            sku = product["skus"][0]
            sku["quantity"] -= quantity
            self.state.put("product", product_id, product)
            for _ in range(quantity):
                line_items.append(
                    {
                        "id": _new_id(),
                        "product_id": product_id,
                        "product_name": product["title"],
                        "sku_id": sku["id"],
                        "seller_sku": sku["seller_sku"],
                        "sale_price": sku["price"],
                        "currency": "IDR",
                        "display_status": "AWAITING_SHIPMENT",
                    }
                )
                total += int(float(sku["price"]))
        order = {
            "shop_id": str(shop_id),
            "status": "AWAITING_SHIPMENT",  # paid
            "buyer_name": buyer_name or "Pembeli Tokopedia",
            "created": now,
            "updated": now,
            "total": total,
            "lines": line_items,
        }
        self.state.put("order", order_id, order)
        self._queue_order_push(order_id, order)
        return order_id

    def cancel_order(self, shop_id: str, order_id: str) -> None:
        """The buyer cancels: stock comes back, status CANCELLED, a webhook queued."""
        order = self.state.get("order", str(order_id))
        if order is None or order["shop_id"] != str(shop_id):
            raise ChannelError(PLATFORM, f"order {order_id} not found", platform_code=str(NOT_FOUND))
        if order["status"] == "CANCELLED":
            return
        for line in order["lines"]:
            product = self.state.get("product", line["product_id"])
            if product is not None:
                for sku in product["skus"]:
                    if sku["id"] == line["sku_id"]:
                        sku["quantity"] += 1
                self.state.put("product", line["product_id"], product)
            line["display_status"] = "CANCELLED"
        order.update({"status": "CANCELLED", "updated": self.now()})
        self.state.put("order", str(order_id), order)
        self._queue_order_push(str(order_id), order)

    def _queue_order_push(self, order_id: str, order: dict) -> None:
        self._queue_push(
            order["shop_id"],
            WEBHOOK_ORDER_STATUS,
            {"order_id": order_id, "order_status": order["status"], "update_time": int(order["updated"])},
        )

    def _queue_push(self, shop_id: str, kind: int, data: dict) -> None:
        notification_id = _new_id()
        body = {
            "type": kind,
            "tts_notification_id": notification_id,
            "shop_id": shop_id,
            "timestamp": int(self.now()),
            "data": data,
        }
        self.state.put(
            "push",
            notification_id,
            {"body": json.dumps(body, separators=(",", ":")), "retries": 0, "next_at": self.now()},
        )

    def sweep_audits(self) -> None:
        """Finish every audit that is due (queues the product status webhooks)."""
        for product_id, product in self.state.all("product"):
            self._audit(product_id, product)

    def deliver(self, webhook_url: str, *, force: bool = False, client: httpx.Client | None = None) -> int:
        """POST every due webhook to `webhook_url` with `Authorization` signed. HTTP 200 within
        3 s acknowledges; otherwise retried at +2 min, +30 min, +3 h, +12 h after each failure,
        then dropped. `force`: ignore the schedule. Returns how many were acknowledged."""
        if not webhook_url:
            return 0
        self.sweep_audits()

        def next_retry(push: dict) -> float | None:
            if push["retries"] >= len(PUSH_RETRY_SECONDS):
                return None  # the 4th retry failed: TikTok Shop stops
            push["retries"] += 1
            return PUSH_RETRY_SECONDS[push["retries"] - 1]

        return deliver_signed_pushes(
            self.state,
            webhook_url,
            now=self.now(),
            sign=lambda body: push_signature(self.app_key, self.app_secret, body),
            ack_seconds=PUSH_ACK_SECONDS,
            next_retry=next_retry,
            force=force,
            client=client,
            duplicate=self.duplicate_pushes,
        )


# ---------------------------------------------------------------------------------------------
# The live client
# ---------------------------------------------------------------------------------------------


class TikTokShopChannel(MarketplaceChannel):
    """Tokopedia (and TikTok Shop) listings through the TikTok Shop Partner API.

    Options (tokoblitar.provider_settings kind "tokopedia"): `app_key`, `app_secret`,
    `service_id` (for the authorize link), `api_url`, `auth_url`, `timeout` (seconds),
    `webhook_url` (configured in Partner Center; kept for the simulator). `transport`: an httpx
    transport (the simulator's); `now`: clock in epoch seconds. Every method raises ChannelError
    with `platform_code` = TikTok Shop's code as text."""

    platform = PLATFORM

    def __init__(
        self,
        *,
        app_key: str = "",
        app_secret: str = "",
        service_id: str = "",
        api_url: str = DEFAULT_API_URL,
        auth_url: str = DEFAULT_AUTH_URL,
        timeout: float = 20.0,
        webhook_url: str = "",
        transport: httpx.BaseTransport | None = None,
        now: Callable[[], float] | None = None,
        **_ignored: Any,
    ):
        self.app_key = app_key
        self.app_secret = app_secret
        self.service_id = service_id
        self.api_url = (api_url or DEFAULT_API_URL).rstrip("/")
        self.auth_url = (auth_url or DEFAULT_AUTH_URL).rstrip("/")
        self.timeout = float(timeout or 20.0)
        self.webhook_url = webhook_url
        self.transport = transport
        self.now = now or time.time

    # -- transport ------------------------------------------------------------------------

    def _send(self, method: str, url: str, *, headers: dict[str, str] | None = None, content: str = "") -> dict:
        try:
            with httpx.Client(timeout=self.timeout, transport=self.transport) as client:
                response = client.request(method, url, headers=headers, content=content.encode() if content else None)
        except httpx.HTTPError as exc:
            raise ChannelError(PLATFORM, f"network error: {exc.__class__.__name__}", retryable=True) from exc
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code == 429 or (isinstance(body, dict) and str(body.get("code")) == str(TOO_MANY)):
            wait = response.headers.get("retry-after", "")
            raise ChannelError(
                PLATFORM,
                str((body or {}).get("message", "Too many requests")),
                platform_code=str(TOO_MANY),
                retryable=True,
                retry_after=float(wait) if wait.replace(".", "", 1).isdigit() else THROTTLE_RETRY_SECONDS,
                status=response.status_code,
            )
        if response.status_code >= 500 or not isinstance(body, dict):
            raise ChannelError(
                PLATFORM,
                f"HTTP {response.status_code}",
                retryable=response.status_code >= 500,
                status=response.status_code,
            )
        code = str(body.get("code", ""))
        if code != "0":
            raise ChannelError(
                PLATFORM,
                str(body.get("message", "")) or code,
                platform_code=code,
                auth_failed=code in AUTH_CODES,
                status=response.status_code,
            )
        return body.get("data") or {}

    def _call(
        self,
        method: str,
        path: str,
        tokens: TokenSet,
        *,
        query: dict[str, Any] | None = None,
        body: dict | None = None,
        shop: bool = True,
    ) -> dict:
        """One signed call to the API host; returns `data`. `shop`: add the shop_cipher."""
        params = {"app_key": self.app_key, "timestamp": str(int(self.now()))}
        if shop and tokens.extra.get("shop_cipher"):
            params["shop_cipher"] = str(tokens.extra["shop_cipher"])
        params.update({k: str(v) for k, v in (query or {}).items()})
        content = json.dumps(body, separators=(",", ":")) if body is not None else ""
        params["sign"] = tts_sign(self.app_secret, path, params, content)
        headers = {"x-tts-access-token": tokens.access_token}
        if content:
            headers["Content-Type"] = "application/json"
        return self._send(method, f"{self.api_url}{path}?{urlencode(params)}", headers=headers, content=content)

    # -- auth -----------------------------------------------------------------------------

    def authorize_url(self, *, state: str, redirect_uri: str) -> str:
        """services.tiktokshop.com/open/authorize?service_id=…&state=… (the redirect URI is the
        one registered in Partner Center, so `redirect_uri` is not sent)."""
        return f"{AUTHORIZE_URL}?{urlencode({'service_id': self.service_id, 'state': state})}"

    def _token_call(self, path: str, extra: dict[str, str]) -> dict:
        query = urlencode({"app_key": self.app_key, "app_secret": self.app_secret, **extra})
        return self._send("GET", f"{self.auth_url}{path}?{query}")

    def _token_set(self, data: dict, previous: TokenSet | None = None) -> TokenSet:
        refresh_at = int(data.get("refresh_token_expire_in") or 0)
        return TokenSet(
            access_token=data["access_token"],
            refresh_token=data.get("refresh_token", ""),
            access_expires_at=datetime.fromtimestamp(int(data["access_token_expire_in"]), UTC),
            refresh_expires_at=datetime.fromtimestamp(refresh_at, UTC) if refresh_at else None,
            shop_id=previous.shop_id if previous else "",
            shop_name=previous.shop_name if previous else "",
            extra={
                **(previous.extra if previous else {}),
                "open_id": data.get("open_id", ""),
                "seller_name": data.get("seller_name", ""),
                "region": data.get("seller_base_region", ""),
            },
        )

    def exchange_code(self, *, code: str, params: dict[str, str]) -> TokenSet:
        """token/get (auth_code, 30 min, single use) then /authorization/202309/shops for the
        shop id, name and `shop_cipher` (kept in `extra`). The first Indonesian shop is used."""
        tokens = self._token_call("/api/v2/token/get", {"auth_code": code, "grant_type": "authorized_code"})
        result = self._token_set(tokens)
        shops = self._call("GET", "/authorization/202309/shops", result, shop=False).get("shops") or []
        if not shops:
            raise ChannelError(PLATFORM, "no shop is authorized for this app", platform_code="NO_SHOP")
        shop = next((s for s in shops if s.get("region") == "ID"), shops[0])
        result.shop_id = str(shop["id"])
        result.shop_name = shop.get("name", "")
        result.extra["shop_cipher"] = shop.get("cipher", "")
        return result

    def refresh(self, tokens: TokenSet) -> TokenSet:
        """token/refresh: a new access token for another ~7 days."""
        data = self._token_call(
            "/api/v2/token/refresh", {"refresh_token": tokens.refresh_token, "grant_type": "refresh_token"}
        )
        return self._token_set(data, tokens)

    # -- listings -------------------------------------------------------------------------

    def _product_body(self, tokens: TokenSet, item: ListingInput, *, create: bool) -> dict:
        inventory: dict[str, Any] = {"quantity": int(item.stock)}
        if tokens.extra.get("warehouse_id"):
            inventory["warehouse_id"] = tokens.extra["warehouse_id"]
        body: dict[str, Any] = {
            "title": item.name,
            "description": item.description,
            "category_id": item.category_id,
            "main_images": [{"uri": url} for url in item.image_urls],
            "package_weight": {"value": f"{item.weight_grams / 1000:.3f}", "unit": "KILOGRAM"},
            "skus": [
                {
                    "seller_sku": item.sku,
                    "price": {"amount": str(int(item.price)), "currency": "IDR"},  # whole rupiah
                    "inventory": [inventory],
                }
            ],
        }
        if create:
            body["save_mode"] = "LISTING"
            body["listing_platforms"] = LISTING_PLATFORMS
            # A retried create with the same key gets the product made the first time.
            body["idempotency_key"] = item.idempotency_key or str(uuid.uuid4())
        return body

    def upsert_listings(self, tokens: TokenSet, items: list[ListingInput]) -> list[ListingResult]:
        """Create (`POST /product/202309/products`, listed on TikTok Shop and Tokopedia, into audit:
        status "pending_review") or edit (`PUT /product/202309/products/{id}`, audited again).
        A refusal of one product is a failed result; a throttle or network failure after some
        products marks the rest failed and retryable; token refusals, signature/timestamp
        refusals and a first-item throttle raise ChannelError."""
        results: list[ListingResult] = []
        for index, item in enumerate(items):
            try:
                if item.external_id:
                    path = f"/product/202309/products/{item.external_id}"
                    data = self._call("PUT", path, tokens, body=self._product_body(tokens, item, create=False))
                else:
                    data = self._call(
                        "POST", "/product/202309/products", tokens, body=self._product_body(tokens, item, create=True)
                    )
            except ChannelError as exc:
                if exc.platform_code in (str(PARAM_ERROR), str(NOT_FOUND)):
                    results.append(self._failed(item, exc))
                    continue
                if exc.auth_failed or not exc.retryable or index == 0:
                    raise
                results.extend(self._failed(rest, exc) for rest in items[index:])
                return results
            skus = data.get("skus") or [{}]
            sku = next((s for s in skus if s.get("seller_sku") == item.sku), skus[0])
            results.append(
                ListingResult(
                    item.product_id,
                    True,
                    str(data.get("product_id", item.external_id)),
                    str(sku.get("id", "")),
                    status="pending_review",
                )
            )
        return results

    def listing_status(self, tokens: TokenSet, external_id: str) -> str:
        """The product's audit state (`GET /product/202309/products/{id}`): "pending_review"
        (PENDING), "live" (ACTIVATE), "failed" (FAILED, FREEZE, DELETED…), "" when unreadable."""
        try:
            data = self._call("GET", f"/product/202309/products/{external_id}", tokens)
        except ChannelError:
            return ""
        return _status_of(str(data.get("status", "")))

    @staticmethod
    def _failed(item: ListingInput, exc: ChannelError) -> ListingResult:
        return ListingResult(
            product_id=item.product_id,
            ok=False,
            external_id=item.external_id,
            status="failed",
            error_code=exc.platform_code,
            error_message=exc.detail,
            retryable=exc.retryable,
        )

    def update_stock(self, tokens: TokenSet, updates: list[StockUpdate]) -> list[StockResult]:
        """One inventory/update per product (its SKUs together). Per-SKU errors in `data.errors`
        are failed results; a product-level refusal fails that product's updates; token,
        signature and throttling refusals raise ChannelError."""
        by_product: dict[str, list[StockUpdate]] = {}
        for update in updates:
            by_product.setdefault(update.external_id, []).append(update)
        outcome: dict[int, StockResult] = {}
        index = {id(u): n for n, u in enumerate(updates)}
        for product_id, batch in by_product.items():
            skus = []
            for update in batch:
                inventory: dict[str, Any] = {"quantity": int(update.stock)}
                if tokens.extra.get("warehouse_id"):
                    inventory["warehouse_id"] = tokens.extra["warehouse_id"]
                skus.append({"id": update.external_sku_id, "inventory": [inventory]})
            try:
                data = self._call(
                    "POST", f"/product/202309/products/{product_id}/inventory/update", tokens, body={"skus": skus}
                )
            except ChannelError as exc:
                if exc.platform_code not in (str(PARAM_ERROR), str(NOT_FOUND)):
                    raise
                for update in batch:
                    outcome[index[id(update)]] = StockResult(product_id, False, exc.platform_code, exc.detail)
                continue
            failed = {str((e.get("detail") or {}).get("sku_id", "")): e for e in data.get("errors") or []}
            for update in batch:
                problem = failed.get(update.external_sku_id)
                if problem is None:
                    outcome[index[id(update)]] = StockResult(product_id, True)
                else:
                    outcome[index[id(update)]] = StockResult(
                        product_id, False, str(problem.get("code", "")), str(problem.get("message", ""))
                    )
        return [outcome[n] for n in range(len(updates))]

    # -- orders ---------------------------------------------------------------------------

    @staticmethod
    def _order(raw: dict) -> ChannelOrderData:
        grouped: dict[tuple[str, str], ChannelOrderLine] = {}
        for line in raw.get("line_items") or []:
            key = (str(line.get("product_id", "")), str(line.get("seller_sku", "")))
            if key in grouped:
                grouped[key].quantity += 1  # one line item per unit
            else:
                price = int(round(float(line.get("sale_price") or 0)))
                grouped[key] = ChannelOrderLine(key[0], key[1], 1, price, str(line.get("id", "")))
        status = str(raw.get("status", ""))
        return ChannelOrderData(
            external_order_id=str(raw["id"]),
            status=status,
            lines=list(grouped.values()),
            created_at=datetime.fromtimestamp(int(raw.get("create_time") or 0), UTC),
            buyer_name=str((raw.get("recipient_address") or {}).get("name", "")),
            total=int(round(float((raw.get("payment") or {}).get("total_amount") or 0))),
            cancelled=status == "CANCELLED",
        )

    def fetch_orders(self, tokens: TokenSet, *, since: datetime) -> list[ChannelOrderData]:
        """`POST /order/202309/orders/search` with `update_time_ge`, 50 per page."""
        orders: list[ChannelOrderData] = []
        page_token = ""
        while True:
            query: dict[str, Any] = {"page_size": 50, "sort_field": "update_time", "sort_order": "ASC"}
            if page_token:
                query["page_token"] = page_token
            data = self._call(
                "POST",
                "/order/202309/orders/search",
                tokens,
                query=query,
                body={"update_time_ge": int(since.timestamp())},
            )
            orders.extend(self._order(raw) for raw in data.get("orders") or [])
            page_token = data.get("next_page_token") or ""
            if not page_token:
                return orders

    def get_order(self, tokens: TokenSet, external_order_id: str) -> ChannelOrderData:
        """`GET /order/202309/orders?ids=…`. ChannelError 40004 when the shop has no such order."""
        data = self._call("GET", "/order/202309/orders", tokens, query={"ids": external_order_id})
        found = data.get("orders") or []
        if not found:
            raise ChannelError(PLATFORM, f"order {external_order_id} not found", platform_code=str(NOT_FOUND))
        return self._order(found[0])

    # -- webhooks -------------------------------------------------------------------------

    def verify_push(self, *, url: str, headers: dict[str, str], body: bytes) -> bool:
        """True when `Authorization` equals hex HMAC-SHA256(app_secret, app_key + raw body)."""
        given = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        return bool(given) and hmac.compare_digest(
            push_signature(self.app_key, self.app_secret, body), given.strip().lower()
        )

    def parse_push(self, body: bytes) -> list[PushEvent]:
        """type 1 -> "order" (external_id = order_id), 5 -> "listing_status" (product_id),
        6 -> "deauthorized", 7 -> "authorization_expiring", others "other";
        `event_id` = tts_notification_id."""
        try:
            payload = json.loads(body)
            kind = int(payload["type"])
            shop_id = str(payload["shop_id"])
            data = payload.get("data") or {}
        except (ValueError, KeyError, TypeError) as exc:
            raise ChannelError(PLATFORM, "malformed webhook body") from exc
        external = str(data.get("order_id") or data.get("product_id") or "")
        return [
            PushEvent(
                PUSH_KINDS.get(kind, "other"), shop_id, external, str(payload.get("tts_notification_id", "")), data
            )
        ]


# ---------------------------------------------------------------------------------------------
# The simulator
# ---------------------------------------------------------------------------------------------


class SimulatorTikTokShopChannel(TikTokShopChannel, SimulatedPlatform):
    """The live client over `httpx.MockTransport(TikTokShopPlatform(DbState("tokopedia")))`.
    App key defaults to "sim-tiktokshop"; the app secret is this installation's simulator
    secret. `audit_seconds`: 60 s here so a demo product goes live soon."""

    is_simulator = True

    def __init__(
        self,
        *,
        app_key: str = "",
        app_secret: str = "",
        service_id: str = "",
        webhook_url: str = "",
        state: Any = None,
        now: Callable[[], float] | None = None,
        clock: Callable[[], float] | None = None,
        audit_seconds: float = 60,
        **options: Any,
    ):
        from marketplace.channels.simstate import DbState

        app_key = app_key or "sim-tiktokshop"
        clock = now or clock or time.time  # `clock`: the name shopee.py uses
        self.sim = TikTokShopPlatform(
            state if state is not None else DbState(PLATFORM),
            app_key=app_key,
            app_secret=app_secret,
            now=clock,
            audit_seconds=audit_seconds,
        )
        self.platform_side = self.sim  # the attribute name shopee.py uses
        super().__init__(
            app_key=app_key,
            app_secret=app_secret,
            service_id=service_id or "sim-service",
            webhook_url=webhook_url,
            transport=httpx.MockTransport(self.sim),
            now=clock,
            **options,
        )

    def authorize_url(self, *, state: str, redirect_uri: str) -> str:
        return f"/dashboard/marketplace/simulator/{PLATFORM}/authorize?" + urlencode(
            {"state": state, "redirect_uri": redirect_uri}
        )

    def simulate_consent(self, *, shop_name: str = "", seller_key: str = "") -> dict[str, str]:
        return {"code": self.sim.consent(shop_name, seller_key)}

    def simulate_order(self, *, shop_id: str, lines: list[tuple[str, int]], buyer_name: str = "") -> str:
        return self.sim.place_order(shop_id, lines, buyer_name)

    def simulate_cancel(self, *, shop_id: str, external_order_id: str) -> None:
        self.sim.cancel_order(shop_id, external_order_id)

    def deliver_pushes(self, *, force: bool = False) -> int:
        """Webhooks due now (`force`: all queued) to `webhook_url`; see TikTokShopPlatform.deliver."""
        return self.sim.deliver(self.webhook_url, force=force)
