"""Shopee Open Platform v2: the live client, the platform's side (a stateful HTTP handler) and
the simulator that joins them (providers-2.md section 3).

- `ShopeeChannel`: the live client (httpx). Every call carries `partner_id`, `timestamp` (unix
  seconds) and `sign` = lowercase hex HMAC-SHA256(partner_key, base) with the base per API type:
  Public `partner_id + path + timestamp`, Shop `... + access_token + shop_id`.
- `ShopeePlatform`: what Shopee's servers do for the endpoints we use, as an
  `httpx.Request -> httpx.Response` handler over a state store (`DbState`/`MemoryState`). It
  enforces the simulator rules of providers-2.md section 3: the sign per API type (`error_sign`),
  the 300 s timestamp window (`error_param` "Invalid timestamp"), single-use 10-minute codes,
  single-use rotating refresh tokens with the old access token kept 5 more minutes, 4 h access
  tokens and the 365-day authorization, `update_stock` partial success (at most 50 entries,
  stock below reserved stock -> `failure_list`), and pushes signed over `url|body`.
- `SimulatorShopeeChannel`: the same client over `httpx.MockTransport(ShopeePlatform(DbState))`,
  plus the platform's buyer (`simulate_order`), consent and push delivery.

Error bodies are Shopee's: `{"error": "<code>", "message", "request_id"}` (`error` empty on
success). HTTP statuses for errors are not published (providers-2.md: unverified); the handler
answers 403 for `error_auth`/`error_sign`, 400 for `error_param`, 404 for `error_item_not_found`,
429 for `error_system_busy` and 500 for `error_server`, and the client decides on the `error`
code, never on the status alone.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

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

PLATFORM = "shopee"
DEFAULT_BASE_URL = "https://partner.shopeemobile.com"
# The simulator's partner id when SHOPEE_PARTNER_ID is empty (the simulator needs one to sign).
SIMULATOR_PARTNER_ID = "100001"
SIMULATOR_CONSENT_PATH = "/dashboard/marketplace/simulator/shopee/authorize"

TIMESTAMP_WINDOW = 300  # seconds either side (developer-guide/20: "valid for 5 minutes")
CODE_TTL = 600  # single-use authorization code, 10 minutes
ACCESS_TTL = 4 * 3600
REFRESH_TTL = 30 * 86400
OLD_ACCESS_GRACE = 300  # the old access token keeps working 5 minutes after a refresh
AUTH_TTL = 365 * 86400
AUTH_WARN_AHEAD = 7 * 86400  # the code-12 push comes 7 days before the authorization ends
STOCK_LIST_MAX = 50
DETAIL_BATCH = 50
RETRYABLE_CODES = {"error_server", "error_inner", "error_system_busy"}

PUBLIC_PATHS = {"/api/v2/shop/auth_partner", "/api/v2/auth/token/get", "/api/v2/auth/access_token/get"}

# Shopee's order statuses that mean the buyer will not receive the goods (stock goes back).
CANCELLED_STATUSES = {"CANCELLED", "IN_CANCEL", "TO_RETURN"}


def sign(partner_key: str, base: str) -> str:
    """Lowercase hex HMAC-SHA256 of `base` under `partner_key` (the key as text, UTF-8)."""
    return hmac.new(partner_key.encode(), base.encode(), hashlib.sha256).hexdigest()


def sign_base(partner_id: str, path: str, timestamp: int, access_token: str = "", shop_id: str = "") -> str:
    """The base string: Public `partner_id+path+timestamp`; Shop adds `access_token+shop_id`."""
    return f"{partner_id}{path}{timestamp}{access_token}{shop_id}"


def push_signature(partner_key: str, url: str, body: bytes) -> str:
    """Shopee's push `Authorization` header: hex HMAC-SHA256(partner_key, url + "|" + body)."""
    return hmac.new(partner_key.encode(), url.encode() + b"|" + body, hashlib.sha256).hexdigest()


def _dt(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


# --- the live client ------------------------------------------------------------------------


class ShopeeChannel(MarketplaceChannel):
    """Shopee v2 over HTTP. Options (provider settings): `partner_id`, `partner_key`,
    `base_url`, `timeout` (seconds), `webhook_url` (where Shopee pushes; used to verify the
    push signature). `clock` gives unix seconds (tests move time)."""

    platform = PLATFORM

    def __init__(
        self,
        *,
        partner_id: str | int = "",
        partner_key: str = "",
        base_url: str = "",
        timeout: float = 20.0,
        webhook_url: str = "",
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] | None = None,
        image_fetcher: Callable[[str], bytes] | None = None,
    ):
        self.partner_id = str(partner_id or "")
        self.partner_key = partner_key or ""
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.timeout = float(timeout or 20.0)
        self.webhook_url = webhook_url
        self.clock = clock or time.time
        self._transport = transport
        self._image_fetcher = image_fetcher

    # --- signing and transport ------------------------------------------------------

    def _client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=self.timeout, transport=self._transport)

    def _common(self, path: str, tokens: TokenSet | None) -> dict[str, str]:
        ts = int(self.clock())
        params = {"partner_id": self.partner_id, "timestamp": str(ts)}
        if tokens is None:
            params["sign"] = sign(self.partner_key, sign_base(self.partner_id, path, ts))
        else:
            params["sign"] = sign(
                self.partner_key, sign_base(self.partner_id, path, ts, tokens.access_token, tokens.shop_id)
            )
            params["access_token"] = tokens.access_token
            params["shop_id"] = tokens.shop_id
        return params

    def _call(
        self,
        method: str,
        path: str,
        *,
        tokens: TokenSet | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        files: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """One signed call; the parsed body. Raises ChannelError for Shopee's `error` or a
        transport failure (retryable)."""
        params = {**self._common(path, tokens), **{k: str(v) for k, v in (query or {}).items()}}
        try:
            with self._client() as client:
                if files is not None:
                    response = client.request(method, path, params=params, files=files)
                else:
                    response = client.request(method, path, params=params, json=body)
        except httpx.HTTPError as exc:
            raise ChannelError(PLATFORM, f"network error: {exc}", platform_code="network", retryable=True) from exc
        try:
            data = response.json()
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        error = str(data.get("error") or "")
        if error or response.status_code >= 400:
            code = error or f"http_{response.status_code}"
            retry_after = response.headers.get("Retry-After")
            raise ChannelError(
                PLATFORM,
                str(data.get("message") or response.reason_phrase or code),
                platform_code=code,
                retryable=code in RETRYABLE_CODES or response.status_code >= 500 or response.status_code == 429,
                retry_after=float(retry_after) if retry_after and retry_after.isdigit() else None,
                auth_failed=code in ("error_auth", "error_permission", "invalid_acceess_token"),
                status=response.status_code,
            )
        return data

    # --- authorization ----------------------------------------------------------------

    def authorize_url(self, *, state: str, redirect_uri: str) -> str:
        """Shopee's auth link. Its redirect carries only `code` and `shop_id`, so our `state`
        rides inside `redirect_uri` as a query parameter."""
        path = "/api/v2/shop/auth_partner"
        params = self._common(path, None)
        params["redirect"] = _with_state(redirect_uri, state)
        return f"{self.base_url}{path}?{urlencode(params)}"

    def _tokens(self, data: dict[str, Any], shop_id: str, *, now: float) -> TokenSet:
        access = str(data.get("access_token") or "")
        refresh = str(data.get("refresh_token") or "")
        if not access or not refresh:
            raise ChannelError(PLATFORM, "token answer without tokens", platform_code="bad_answer")
        expire_in = int(data.get("expire_in") or ACCESS_TTL)
        return TokenSet(
            access_token=access,
            refresh_token=refresh,
            access_expires_at=_dt(now + expire_in),
            refresh_expires_at=_dt(now + REFRESH_TTL),
            shop_id=str(shop_id),
            extra={k: data[k] for k in ("merchant_id_list", "shop_id_list") if data.get(k)},
        )

    def exchange_code(self, *, code: str, params: dict[str, str]) -> TokenSet:
        shop_id = str(params.get("shop_id") or "")
        if not shop_id.isdigit():
            raise ChannelError(PLATFORM, "shop_id missing from the authorization redirect", platform_code="error_param")
        now = self.clock()
        data = self._call(
            "POST",
            "/api/v2/auth/token/get",
            body={"code": code, "shop_id": int(shop_id), "partner_id": int(self.partner_id or 0)},
        )
        tokens = self._tokens(data, shop_id, now=now)
        tokens.shop_name = self.shop_name(tokens)
        return tokens

    def shop_name(self, tokens: TokenSet) -> str:
        data = self._call("GET", "/api/v2/shop/get_shop_info", tokens=tokens)
        return str(data.get("shop_name") or "")

    def refresh(self, tokens: TokenSet) -> TokenSet:
        now = self.clock()
        data = self._call(
            "POST",
            "/api/v2/auth/access_token/get",
            body={
                "refresh_token": tokens.refresh_token,
                "partner_id": int(self.partner_id or 0),
                "shop_id": int(tokens.shop_id),
            },
        )
        fresh = self._tokens(data, tokens.shop_id, now=now)
        fresh.shop_name = tokens.shop_name
        return fresh

    # --- listings and stock ----------------------------------------------------------

    def _fetch_image(self, url: str) -> bytes:
        if self._image_fetcher is not None:
            return self._image_fetcher(url)
        response = httpx.get(url, timeout=self.timeout, follow_redirects=True)
        response.raise_for_status()
        return response.content

    def _upload_images(self, tokens: TokenSet, urls: list[str]) -> list[str]:
        ids = []
        for url in urls[:9]:  # Shopee takes at most 9 item images
            try:
                content = self._fetch_image(url)
            except httpx.HTTPError as exc:
                raise ChannelError(PLATFORM, f"image {url} unreadable: {exc}", platform_code="image_fetch") from exc
            name = url.rsplit("/", 1)[-1] or "image.jpg"
            data = self._call(
                "POST",
                "/api/v2/media_space/upload_image",
                tokens=tokens,
                files={"image": (name, content, "image/jpeg")},
            )
            info = (data.get("response") or {}).get("image_info") or {}
            if info.get("image_id"):
                ids.append(str(info["image_id"]))
        return ids

    def upsert_listings(self, tokens: TokenSet, items: list[ListingInput]) -> list[ListingResult]:
        results = []
        for item in items:
            try:
                results.append(self._upsert_one(tokens, item))
            except ChannelError as exc:
                if exc.auth_failed or exc.platform_code == "error_sign":
                    raise  # a call-level refusal: every next item would meet the same
                results.append(
                    ListingResult(
                        product_id=item.product_id,
                        ok=False,
                        external_id=item.external_id,
                        status="failed",
                        error_code=exc.platform_code,
                        error_message=exc.detail,
                        retryable=exc.retryable,
                    )
                )
        return results

    def _upsert_one(self, tokens: TokenSet, item: ListingInput) -> ListingResult:
        if not item.image_urls:
            return ListingResult(
                product_id=item.product_id,
                ok=False,
                external_id=item.external_id,
                status="failed",
                error_code="error_param",
                error_message="Shopee needs at least one product image",
            )
        image_ids = self._upload_images(tokens, item.image_urls)
        payload = {
            "item_name": item.name,
            "description": item.description or item.name,
            "original_price": item.price,
            "weight": round(item.weight_grams / 1000, 3),
            "category_id": int(item.category_id) if str(item.category_id).isdigit() else item.category_id,
            "image": {"image_id_list": image_ids},
            "item_sku": item.sku,
            "item_status": "NORMAL",
        }
        if item.external_id:
            payload["item_id"] = int(item.external_id)
            self._call("POST", "/api/v2/product/update_item", tokens=tokens, body=payload)
            stock = self.update_stock(tokens, [StockUpdate(item.external_id, "0", item.stock)])[0]
            if not stock.ok:
                return ListingResult(
                    product_id=item.product_id,
                    ok=False,
                    external_id=item.external_id,
                    external_sku_id="0",
                    status="failed",
                    error_code=stock.error_code,
                    error_message=stock.error_message,
                    retryable=stock.retryable,
                )
            return ListingResult(product_id=item.product_id, ok=True, external_id=item.external_id, external_sku_id="0")
        payload["seller_stock"] = [{"stock": item.stock}]
        payload["logistic_info"] = [{"logistic_id": 80001, "enabled": True}]
        data = self._call("POST", "/api/v2/product/add_item", tokens=tokens, body=payload)
        item_id = str((data.get("response") or {}).get("item_id") or "")
        if not item_id:
            raise ChannelError(PLATFORM, "add_item answered without item_id", platform_code="bad_answer")
        return ListingResult(product_id=item.product_id, ok=True, external_id=item_id, external_sku_id="0")

    def update_stock(self, tokens: TokenSet, updates: list[StockUpdate]) -> list[StockResult]:
        """One `update_stock` call per item (Shopee's call is per item_id with its models);
        a model in `failure_list` is a failed result, the others succeed."""
        by_item: dict[str, list[StockUpdate]] = {}
        for update in updates:
            by_item.setdefault(update.external_id, []).append(update)
        outcome: dict[tuple[str, str], StockResult] = {}
        for item_id, group in by_item.items():
            for start in range(0, len(group), STOCK_LIST_MAX):
                chunk = group[start : start + STOCK_LIST_MAX]
                body = {
                    "item_id": int(item_id),
                    "stock_list": [
                        {"model_id": int(u.external_sku_id or 0), "seller_stock": [{"stock": u.stock}]} for u in chunk
                    ],
                }
                try:
                    data = self._call("POST", "/api/v2/product/update_stock", tokens=tokens, body=body)
                except ChannelError as exc:
                    if exc.auth_failed or exc.platform_code == "error_sign":
                        raise
                    for u in chunk:
                        outcome[(u.external_id, u.external_sku_id)] = StockResult(
                            u.external_id, False, exc.platform_code, exc.detail, exc.retryable
                        )
                    continue
                failures = {
                    str(f.get("model_id", 0)): str(f.get("failed_reason") or "")
                    for f in (data.get("response") or {}).get("failure_list") or []
                }
                for u in chunk:
                    model = str(int(u.external_sku_id or 0))
                    if model in failures:
                        result = StockResult(u.external_id, False, "failure_list", failures[model])
                    else:
                        result = StockResult(u.external_id, True)
                    outcome[(u.external_id, u.external_sku_id)] = result
        return [outcome[(u.external_id, u.external_sku_id)] for u in updates]

    # --- orders -----------------------------------------------------------------------

    def fetch_orders(self, tokens: TokenSet, *, since: datetime) -> list[ChannelOrderData]:
        """Orders updated since `since` (Shopee allows at most a 15-day window per call)."""
        now = int(self.clock())
        time_from = max(int(since.timestamp()), now - 15 * 86400 + 60)
        order_sns: list[str] = []
        cursor = ""
        while True:
            data = self._call(
                "GET",
                "/api/v2/order/get_order_list",
                tokens=tokens,
                query={
                    "time_range_field": "update_time",
                    "time_from": time_from,
                    "time_to": now,
                    "page_size": 100,
                    "cursor": cursor,
                },
            )
            response = data.get("response") or {}
            order_sns += [str(o["order_sn"]) for o in response.get("order_list") or [] if o.get("order_sn")]
            if not response.get("more"):
                break
            cursor = str(response.get("next_cursor") or "")
        return self._details(tokens, order_sns)

    def _details(self, tokens: TokenSet, order_sns: list[str]) -> list[ChannelOrderData]:
        orders = []
        for start in range(0, len(order_sns), DETAIL_BATCH):
            data = self._call(
                "GET",
                "/api/v2/order/get_order_detail",
                tokens=tokens,
                query={
                    "order_sn_list": ",".join(order_sns[start : start + DETAIL_BATCH]),
                    "response_optional_fields": "item_list,buyer_username,total_amount",
                },
            )
            for o in (data.get("response") or {}).get("order_list") or []:
                orders.append(
                    ChannelOrderData(
                        external_order_id=str(o["order_sn"]),
                        status=str(o.get("order_status") or ""),
                        lines=[
                            ChannelOrderLine(
                                external_id=str(line.get("item_id") or ""),
                                sku=str(line.get("model_sku") or line.get("item_sku") or ""),
                                quantity=int(line.get("model_quantity_purchased") or 0),
                                unit_price=int(line.get("model_discounted_price") or 0),
                                external_line_id=str(line.get("model_id") or 0),
                            )
                            for line in o.get("item_list") or []
                        ],
                        created_at=_dt(int(o.get("create_time") or 0)),
                        buyer_name=str(o.get("buyer_username") or ""),
                        total=int(o.get("total_amount") or 0),
                        cancelled=str(o.get("order_status") or "") in CANCELLED_STATUSES,
                    )
                )
        return orders

    def get_order(self, tokens: TokenSet, external_order_id: str) -> ChannelOrderData:
        found = self._details(tokens, [external_order_id])
        if not found:
            raise ChannelError(PLATFORM, f"order {external_order_id} not found", platform_code="error_not_found")
        return found[0]

    # --- pushes -----------------------------------------------------------------------

    def verify_push(self, *, url: str, headers: dict[str, str], body: bytes) -> bool:
        """Shopee signs `push_url|raw_body` into the Authorization header (developer-guide/18).
        `url` is the URL we registered (settings), not the one the request claims."""
        given = {k.lower(): v for k, v in headers.items()}.get("authorization", "")
        if not given or not self.partner_key:
            return False
        expected = push_signature(self.partner_key, self.webhook_url or url, body)
        return hmac.compare_digest(given.strip().lower(), expected)

    def parse_push(self, body: bytes) -> list[PushEvent]:
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise ChannelError(PLATFORM, "push body is not JSON", platform_code="malformed") from exc
        if not isinstance(data, dict) or "code" not in data:
            raise ChannelError(PLATFORM, "push body without code", platform_code="malformed")
        shop_id = str(data.get("shop_id") or "")
        inner = data.get("data") if isinstance(data.get("data"), dict) else {}
        code = int(data.get("code") or 0)
        event_id = f"{code}:{shop_id}:{data.get('timestamp', '')}:{inner.get('ordersn', '')}:{inner.get('status', '')}"
        if code == 3:
            return [
                PushEvent("order", shop_id, external_id=str(inner.get("ordersn") or ""), event_id=event_id, data=inner)
            ]
        if code == 2:
            return [PushEvent("deauthorized", shop_id, event_id=event_id, data=inner)]
        if code == 12:
            return [PushEvent("authorization_expiring", shop_id, event_id=event_id, data=inner)]
        return [PushEvent("other", shop_id, event_id=event_id, data=inner)]


def _with_state(redirect_uri: str, state: str) -> str:
    joiner = "&" if "?" in redirect_uri else "?"
    return f"{redirect_uri}{joiner}{urlencode({'state': state})}"


# --- the platform's side -----------------------------------------------------------------


def _error(code: str, message: str, status: int) -> httpx.Response:
    return httpx.Response(status, json={"error": code, "message": message, "request_id": secrets.token_hex(16)})


def _ok(response: dict[str, Any] | None = None, **top: Any) -> httpx.Response:
    body = {"error": "", "message": "", "request_id": secrets.token_hex(16), **top}
    if response is not None:
        body["response"] = response
    return httpx.Response(200, json=body)


class ShopeePlatform:
    """Shopee's servers for the endpoints TokoBLITAR uses, over a state store.

    `partner_id`/`partner_key`: the one partner (app) this platform knows; `webhook_url`: where
    it pushes (signed with the partner key over `url|body`); `clock`: unix seconds."""

    def __init__(
        self,
        state: Any,
        *,
        partner_id: str | int,
        partner_key: str,
        webhook_url: str = "",
        clock: Callable[[], float] | None = None,
    ):
        self.state = state
        self.partner_id = str(partner_id)
        self.partner_key = partner_key
        self.webhook_url = webhook_url
        self.clock = clock or time.time

    # --- test and simulator controls -------------------------------------------------

    def consent(self, *, shop_name: str = "", seller_key: str = "") -> dict[str, str]:
        """A seller authorizes our partner for her shop: a fresh code for the redirect. The same
        seller (`seller_key`, else the shop name) gets her same shop again: a Shopee shop_id is
        stable across re-authorizations; a new seller gets a new shop."""
        now = self.clock()
        link_key = seller_key or shop_name
        link = self.state.get("seller_shop", link_key) if link_key else None
        shop_id = link["shop_id"] if link else str(700000 + secrets.randbelow(200000))
        old = self.state.get("shop", shop_id) or {}
        self.state.put(
            "shop",
            shop_id,
            {
                **old,
                "shop_name": shop_name or old.get("shop_name") or f"Toko Shopee {shop_id}",
                "auth_expires_at": now + AUTH_TTL,
            },
        )
        if link_key and not link:
            self.state.put("seller_shop", link_key, {"shop_id": shop_id})
        code = secrets.token_hex(16)
        self.state.put("code", code, {"shop_id": shop_id, "expires_at": now + CODE_TTL})
        return {"code": code, "shop_id": shop_id}

    def inject_fault(self, path: str, error: str, *, times: int = 1, message: str = "", status: int = 429) -> None:
        """The next `times` calls to `path` answer `error` (throttling, server errors)."""
        self.state.put("fault", path, {"error": error, "times": times, "message": message or error, "status": status})

    def set_reserved(self, item_id: str, reserved: int) -> None:
        item = self.state.get("item", str(item_id))
        item["reserved"] = reserved
        self.state.put("item", str(item_id), item)

    def item(self, item_id: str) -> dict[str, Any] | None:
        return self.state.get("item", str(item_id))

    def place_order(self, *, shop_id: str, lines: list[tuple[str, int]], buyer_name: str = "") -> str:
        now = int(self.clock())
        items = []
        for item_id, qty in lines:
            item = self.state.get("item", str(item_id))
            if item is None or item.get("shop_id") != str(shop_id):
                raise ChannelError(PLATFORM, f"item {item_id} not found", platform_code="error_item_not_found")
            if qty < 1 or item["stock"] < qty:
                raise ChannelError(PLATFORM, f"item {item_id} is out of stock", platform_code="error_stock")
            items.append((str(item_id), qty, item))
        order_sn = _dt(now).strftime("%y%m%d") + secrets.token_hex(4).upper()
        lines_out = []
        for item_id, qty, item in items:
            item["stock"] -= qty
            self.state.put("item", item_id, item)
            lines_out.append(
                {
                    "item_id": int(item_id),
                    "model_id": 0,
                    "item_sku": item.get("item_sku", ""),
                    "model_sku": "",
                    "model_quantity_purchased": qty,
                    "model_discounted_price": item["original_price"],
                }
            )
        order = {
            "shop_id": str(shop_id),
            "order_sn": order_sn,
            "order_status": "READY_TO_SHIP",
            "create_time": now,
            "update_time": now,
            "buyer_username": buyer_name or "pembeli_shopee",
            "total_amount": sum(
                line["model_discounted_price"] * line["model_quantity_purchased"] for line in lines_out
            ),
            "item_list": lines_out,
        }
        self.state.put("order", order_sn, order)
        self._queue_push(shop_id, 3, {"ordersn": order_sn, "status": "READY_TO_SHIP", "update_time": now})
        return order_sn

    def cancel_order(self, *, shop_id: str, order_sn: str) -> None:
        order = self.state.get("order", order_sn)
        if order is None or order["shop_id"] != str(shop_id):
            raise ChannelError(PLATFORM, f"order {order_sn} not found", platform_code="error_not_found")
        if order["order_status"] == "CANCELLED":
            return
        now = int(self.clock())
        for line in order["item_list"]:
            item = self.state.get("item", str(line["item_id"]))
            if item is not None:
                item["stock"] += line["model_quantity_purchased"]
                self.state.put("item", str(line["item_id"]), item)
        order["order_status"] = "CANCELLED"
        order["update_time"] = now
        self.state.put("order", order_sn, order)
        self._queue_push(shop_id, 3, {"ordersn": order_sn, "status": "CANCELLED", "update_time": now})

    def _queue_push(self, shop_id: str, code: int, data: dict[str, Any]) -> None:
        now = int(self.clock())
        body = {"shop_id": int(shop_id), "code": code, "timestamp": now, "data": data}
        self.state.put("push", secrets.token_hex(8), {"body": body, "attempts": 0})

    def warn_expiring_authorizations(self) -> int:
        """Queue the code-12 push ("authorization expiry") once for every shop whose 365-day
        authorization ends within 7 days. Returns how many were queued."""
        now = self.clock()
        queued = 0
        for shop_id, shop in self.state.all("shop"):
            if shop.get("expiry_warned") or shop.get("deauthorized"):
                continue
            if shop["auth_expires_at"] - now <= AUTH_WARN_AHEAD:
                shop["expiry_warned"] = True
                self.state.put("shop", shop_id, shop)
                self._queue_push(
                    shop_id,
                    12,
                    {
                        "merchant_expire_soon": [],
                        "shop_expire_soon": [int(shop_id)],
                        "expire_before": int(shop["auth_expires_at"]),
                    },
                )
                queued += 1
        return queued

    def set_authorization_expiry(self, shop_id: str, expires_at: float) -> None:
        shop = self.state.get("shop", str(shop_id))
        shop["auth_expires_at"] = expires_at
        self.state.put("shop", str(shop_id), shop)

    def pending_pushes(self) -> list[tuple[str, bytes, dict[str, str]]]:
        """[(push id, raw body, headers)] signed as Shopee signs them (authorization-expiry
        warnings that are due are queued first)."""
        self.warn_expiring_authorizations()
        out = []
        for key, push in self.state.all("push"):
            raw = json.dumps(push["body"], separators=(",", ":")).encode()
            out.append((key, raw, {"Authorization": push_signature(self.partner_key, self.webhook_url, raw)}))
        return out

    # --- the HTTP handler --------------------------------------------------------------

    def __call__(self, request: httpx.Request) -> httpx.Response:
        url = urlsplit(str(request.url))
        path = url.path
        query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        refused = self._check_common(path, query)
        if refused is not None:
            return refused
        fault = self.state.get("fault", path)
        if fault and fault["times"] > 0:
            fault["times"] -= 1
            self.state.put("fault", path, fault)
            return _error(fault["error"], fault["message"], fault["status"])
        if path in PUBLIC_PATHS:
            body = _json(request)
            if path == "/api/v2/auth/token/get":
                return self._token_get(body)
            if path == "/api/v2/auth/access_token/get":
                return self._token_refresh(body)
            return _error("error_param", "auth_partner is a browser page", 400)
        shop_id, refused = self._check_shop(path, query)
        if refused is not None:
            return refused
        handler = {
            "/api/v2/shop/get_shop_info": self._shop_info,
            "/api/v2/media_space/upload_image": self._upload_image,
            "/api/v2/product/add_item": self._add_item,
            "/api/v2/product/update_item": self._update_item,
            "/api/v2/product/update_stock": self._update_stock,
            "/api/v2/order/get_order_list": self._order_list,
            "/api/v2/order/get_order_detail": self._order_detail,
        }.get(path)
        if handler is None:
            return _error("error_not_found", f"Invalid path {path}", 404)
        return handler(shop_id, request, query)

    def _check_common(self, path: str, query: dict[str, str]) -> httpx.Response | None:
        if not query.get("partner_id"):
            return _error("error_param", "Invalid partner_id", 400)
        if query["partner_id"] != self.partner_id:
            return _error("error_param", "Invalid partner_id", 400)
        raw_ts = query.get("timestamp", "")
        if not raw_ts:
            return _error("error_param", "no timestamp", 400)
        if not raw_ts.isdigit() or abs(self.clock() - int(raw_ts)) > TIMESTAMP_WINDOW:
            return _error("error_param", "Invalid timestamp", 400)
        access, shop = ("", "") if path in PUBLIC_PATHS else (query.get("access_token", ""), query.get("shop_id", ""))
        expected = sign(self.partner_key, sign_base(self.partner_id, path, int(raw_ts), access, shop))
        if not hmac.compare_digest(query.get("sign", ""), expected):
            return _error("error_sign", "Wrong sign", 403)
        return None

    def _check_shop(self, path: str, query: dict[str, str]) -> tuple[str, httpx.Response | None]:
        token = self.state.get("access", query.get("access_token", ""))
        shop_id = query.get("shop_id", "")
        if token is None or token["shop_id"] != shop_id or token["expires_at"] < self.clock():
            return shop_id, _error("error_auth", "Invalid access_token", 403)
        shop = self.state.get("shop", shop_id)
        if shop is None or shop.get("deauthorized") or shop["auth_expires_at"] < self.clock():
            return shop_id, _error("error_auth", "Invalid access_token", 403)
        return shop_id, None

    def _issue(self, shop_id: str) -> dict[str, Any]:
        now = self.clock()
        access, refresh = secrets.token_hex(16), secrets.token_hex(16)
        self.state.put("access", access, {"shop_id": shop_id, "expires_at": now + ACCESS_TTL})
        self.state.put(
            "refresh", refresh, {"shop_id": shop_id, "access_token": access, "expires_at": now + REFRESH_TTL}
        )
        return {"access_token": access, "refresh_token": refresh, "expire_in": ACCESS_TTL}

    def _token_get(self, body: dict[str, Any]) -> httpx.Response:
        if str(body.get("partner_id", "")) != self.partner_id:
            return _error("error_param", "Invalid partner_id", 400)
        code = self.state.take("code", str(body.get("code") or ""))  # single use, even when refused below
        if code is None or code["expires_at"] < self.clock():
            return _error("error_auth", "Invalid code", 403)
        if str(body.get("shop_id", "")) != code["shop_id"]:
            return _error("error_param", "Invalid shop_id", 400)
        return _ok(None, **self._issue(code["shop_id"]))

    def _token_refresh(self, body: dict[str, Any]) -> httpx.Response:
        if str(body.get("partner_id", "")) != self.partner_id:
            return _error("error_param", "Invalid partner_id", 400)
        old = self.state.take("refresh", str(body.get("refresh_token") or ""))  # each refresh token once
        if old is None or old["expires_at"] < self.clock() or str(body.get("shop_id", "")) != old["shop_id"]:
            return _error("error_auth", "Invalid refresh_token", 403)
        shop = self.state.get("shop", old["shop_id"])
        if shop is None or shop.get("deauthorized") or shop["auth_expires_at"] < self.clock():
            return _error("error_auth", "Invalid refresh_token", 403)
        previous = self.state.get("access", old["access_token"])
        if previous is not None:
            previous["expires_at"] = min(previous["expires_at"], self.clock() + OLD_ACCESS_GRACE)
            self.state.put("access", old["access_token"], previous)
        return _ok(None, **self._issue(old["shop_id"]))

    def _shop_info(self, shop_id: str, request: httpx.Request, query: dict[str, str]) -> httpx.Response:
        shop = self.state.get("shop", shop_id)
        return _ok(None, shop_name=shop["shop_name"], region="ID", status="NORMAL")

    def _upload_image(self, shop_id: str, request: httpx.Request, query: dict[str, str]) -> httpx.Response:
        content_type = request.headers.get("content-type", "")
        raw = request.read()
        if not content_type.startswith("multipart/form-data") or b'name="image"' not in raw:
            return _error("error_param", "image is required", 400)
        if len(raw) > 10 * 1024 * 1024:
            return _error("error_param", "image is larger than 10 MB", 400)
        image_id = "id-" + hashlib.sha256(raw).hexdigest()[:24]
        self.state.put("image", image_id, {"shop_id": shop_id})
        return _ok({"image_info": {"image_id": image_id, "image_url_list": []}})

    REQUIRED_ITEM = ("original_price", "description", "weight", "item_name", "category_id", "image", "seller_stock")

    def _item_fields(self, shop_id: str, body: dict[str, Any], required: tuple[str, ...]) -> str:
        """An error message, or '' when the item fields are acceptable."""
        for name in required:
            if body.get(name) in (None, "", []):
                return f"{name} is required"
        if "original_price" in body and (
            not isinstance(body["original_price"], int | float) or body["original_price"] <= 0
        ):
            return "original_price should be larger than 0"
        if "item_name" in body and not (1 <= len(str(body["item_name"])) <= 120):
            return "item_name length should be between 1 and 120"
        if "image" in body:
            ids = (body.get("image") or {}).get("image_id_list") or []
            if not ids or any(self.state.get("image", str(i)) is None for i in ids):
                return "image_id_list is invalid"
        return ""

    def _add_item(self, shop_id: str, request: httpx.Request, query: dict[str, str]) -> httpx.Response:
        body = _json(request)
        problem = self._item_fields(shop_id, body, self.REQUIRED_ITEM)
        if problem:
            return _error("product.error_param", problem, 400)
        item_id = str(800000000 + secrets.randbelow(100000000))
        stock = int((body["seller_stock"][0] or {}).get("stock") or 0)
        self.state.put(
            "item",
            item_id,
            {
                "shop_id": shop_id,
                "item_name": body["item_name"],
                "description": body["description"],
                "original_price": int(body["original_price"]),
                "weight": body["weight"],
                "category_id": body["category_id"],
                "image_id_list": body["image"]["image_id_list"],
                "item_sku": str(body.get("item_sku") or ""),
                "item_status": body.get("item_status") or "NORMAL",
                "stock": stock,
                "reserved": 0,
            },
        )
        return _ok({"item_id": int(item_id), "item_name": body["item_name"]})

    def _update_item(self, shop_id: str, request: httpx.Request, query: dict[str, str]) -> httpx.Response:
        body = _json(request)
        item_id = str(body.get("item_id") or "")
        item = self.state.get("item", item_id)
        if item is None or item["shop_id"] != shop_id:
            return _error("error_item_not_found", "Item not found", 404)
        problem = self._item_fields(shop_id, body, ())
        if problem:
            return _error("product.error_param", problem, 400)
        for name in ("item_name", "description", "original_price", "weight", "category_id", "item_sku", "item_status"):
            if name in body:
                item[name] = body[name]
        if "image" in body:
            item["image_id_list"] = body["image"]["image_id_list"]
        self.state.put("item", item_id, item)
        return _ok({"item_id": int(item_id)})

    def _update_stock(self, shop_id: str, request: httpx.Request, query: dict[str, str]) -> httpx.Response:
        body = _json(request)
        item_id = str(body.get("item_id") or "")
        item = self.state.get("item", item_id)
        if item is None or item["shop_id"] != shop_id:
            return _error("error_item_not_found", "Item not found", 404)
        stock_list = body.get("stock_list")
        if not isinstance(stock_list, list) or not 1 <= len(stock_list) <= STOCK_LIST_MAX:
            return _error("product.error_param", "stock_list should have 1 to 50 entries", 400)
        success, failure = [], []
        for entry in stock_list:
            model_id = int(entry.get("model_id") or 0)
            seller_stock = entry.get("seller_stock") or []
            if model_id != 0:
                failure.append({"model_id": model_id, "failed_reason": "model not found"})
                continue
            if not seller_stock or not isinstance(seller_stock[0].get("stock"), int) or seller_stock[0]["stock"] < 0:
                failure.append({"model_id": model_id, "failed_reason": "stock is invalid"})
                continue
            if seller_stock[0].get("location_id") is None and len(seller_stock) > 1:
                failure.append(
                    {
                        "model_id": model_id,
                        "failed_reason": "The merchant/shop has multi warehouse, please input location id",
                    }
                )
                continue
            stock = seller_stock[0]["stock"]
            if stock < item.get("reserved", 0):
                failure.append({"model_id": model_id, "failed_reason": "Stock should be larger than reserved stock"})
                continue
            item["stock"] = stock
            success.append({"model_id": model_id, "location_id": "IDZ", "stock": stock})
        self.state.put("item", item_id, item)
        return _ok({"failure_list": failure, "success_list": success})

    def _order_list(self, shop_id: str, request: httpx.Request, query: dict[str, str]) -> httpx.Response:
        try:
            time_from, time_to = int(query.get("time_from", "")), int(query.get("time_to", ""))
            page_size = int(query.get("page_size") or 20)
        except ValueError:
            return _error("error_param", "time_from and time_to are required", 400)
        if time_to < time_from or time_to - time_from > 15 * 86400:
            return _error("error_param", "time range should be within 15 days", 400)
        if not 1 <= page_size <= 100:
            return _error("error_param", "page_size should be between 1 and 100", 400)
        field_name = query.get("time_range_field") or "create_time"
        orders = sorted(
            (
                o
                for _, o in self.state.all("order")
                if o["shop_id"] == shop_id and time_from <= o[field_name] <= time_to
            ),
            key=lambda o: (o[field_name], o["order_sn"]),
        )
        offset = int(query.get("cursor") or 0) if (query.get("cursor") or "0").isdigit() else 0
        page = orders[offset : offset + page_size]
        more = offset + page_size < len(orders)
        return _ok(
            {
                "order_list": [{"order_sn": o["order_sn"]} for o in page],
                "more": more,
                "next_cursor": str(offset + page_size) if more else "",
            }
        )

    def _order_detail(self, shop_id: str, request: httpx.Request, query: dict[str, str]) -> httpx.Response:
        sns = [s for s in (query.get("order_sn_list") or "").split(",") if s]
        if not 1 <= len(sns) <= DETAIL_BATCH:
            return _error("error_param", "order_sn_list should have 1 to 50 entries", 400)
        found = []
        for sn in sns:
            order = self.state.get("order", sn)
            if order is not None and order["shop_id"] == shop_id:
                found.append({k: v for k, v in order.items() if k != "shop_id"})
        return _ok({"order_list": found})


def _json(request: httpx.Request) -> dict[str, Any]:
    try:
        data = json.loads(request.read() or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


# --- the simulator ---------------------------------------------------------------------------

PushTransport = Callable[[str, bytes, dict[str, str]], int]
PUSH_MAX_ATTEMPTS = 5  # Shopee's own retry count is not published; the simulator gives up after 5


def http_push_transport(url: str, raw: bytes, headers: dict[str, str]) -> int:
    """POST a push as Shopee does; the HTTP status (0 when unreachable)."""
    try:
        return httpx.post(
            url, content=raw, headers={**headers, "Content-Type": "application/json"}, timeout=10
        ).status_code
    except httpx.HTTPError:
        return 0


class SimulatorShopeeChannel(ShopeeChannel, SimulatedPlatform):
    """The live client over `httpx.MockTransport(ShopeePlatform(DbState("shopee")))`: the same
    signing and parsing code, with Shopee's side kept in this installation's database. Images
    are not downloaded (the simulated platform cannot reach a laptop's site); their URL bytes
    stand for them."""

    is_simulator = True

    def __init__(
        self,
        *,
        partner_id: str | int = "",
        partner_key: str = "",
        base_url: str = "",
        timeout: float = 20.0,
        webhook_url: str = "",
        state: Any = None,
        clock: Callable[[], float] | None = None,
        push_transport: PushTransport | None = None,
    ):
        from marketplace.channels.simstate import DbState

        partner_id = str(partner_id or SIMULATOR_PARTNER_ID)
        self.platform_side = ShopeePlatform(
            state if state is not None else DbState(PLATFORM),
            partner_id=partner_id,
            partner_key=partner_key,
            webhook_url=webhook_url,
            clock=clock,
        )
        self.push_transport = push_transport or http_push_transport
        super().__init__(
            partner_id=partner_id,
            partner_key=partner_key,
            base_url=DEFAULT_BASE_URL,
            timeout=timeout,
            webhook_url=webhook_url,
            transport=httpx.MockTransport(self.platform_side),
            clock=clock,
            image_fetcher=lambda url: url.encode(),
        )

    def authorize_url(self, *, state: str, redirect_uri: str) -> str:
        return f"{SIMULATOR_CONSENT_PATH}?{urlencode({'redirect': _with_state(redirect_uri, state)})}"

    def simulate_consent(self, *, shop_name: str = "", seller_key: str = "") -> dict[str, str]:
        return self.platform_side.consent(shop_name=shop_name, seller_key=seller_key)

    def simulate_order(self, *, shop_id: str, lines: list[tuple[str, int]], buyer_name: str = "") -> str:
        return self.platform_side.place_order(shop_id=shop_id, lines=lines, buyer_name=buyer_name)

    def simulate_cancel(self, *, shop_id: str, external_order_id: str) -> None:
        self.platform_side.cancel_order(shop_id=shop_id, order_sn=external_order_id)

    def deliver_pushes(self) -> int:
        delivered = 0
        state = self.platform_side.state
        for key, raw, headers in self.platform_side.pending_pushes():
            status = self.push_transport(self.webhook_url, raw, headers)
            if 200 <= status < 300:
                state.delete("push", key)
                delivered += 1
                continue
            push = state.get("push", key)
            if push is None:
                continue
            push["attempts"] += 1
            if push["attempts"] >= PUSH_MAX_ATTEMPTS:
                state.delete("push", key)
            else:
                state.put("push", key, push)
        return delivered

    def expire_access_now(self, access_token: str) -> None:
        """Test control: the access token stops working at once."""
        token = self.platform_side.state.get("access", access_token)
        if token is not None:
            token["expires_at"] = 0
            self.platform_side.state.put("access", access_token, token)


__all__ = [
    "ShopeeChannel",
    "ShopeePlatform",
    "SimulatorShopeeChannel",
    "push_signature",
    "sign",
    "sign_base",
]
