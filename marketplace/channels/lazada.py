"""Lazada Open Platform: the live client (`LazadaChannel`), the platform's side as a stateful
HTTP handler (`LazadaPlatform`) and the simulator (`SimulatorLazadaChannel` = the live client
over `httpx.MockTransport(LazadaPlatform(DbState("lazada")))`).

Wire facts (providers-2.md section 4, from open.lazada.com pages cited there):
- Gateways `https://api.lazada.co.id/rest` (API) and `https://auth.lazada.com/rest` (tokens);
  the API path signed is the part after `/rest` (`/order/get`).
- System params `app_key`, `timestamp` (epoch ms, within 7200 s of UTC), `sign_method=sha256`,
  `sign`, plus `access_token`; `sign = UPPER_HEX(HMAC-SHA256(app_secret, api_path +
  concat(sorted(key + value))))` over every param except `sign` (docId 108068, official vector
  in the tests). As the official SDK (lazop) does, system params travel in the query string and
  API params in the form body of a POST; a JSON body, when sent, is appended to the string.
- Envelope: success `{"code": "0", "request_id", "data"}`; error `{"code", "type": "ISV|ISP|SYSTEM",
  "message", "request_id"}`; `E901` = throttled (docId 108138). The token endpoints answer at
  the top level (no `data`).
- OAuth: code valid 30 min and single-use; test app 7 d access / 30 d refresh, online app
  30 d / 180 d; refresh resets the access clock only (docId 108260).
- `/product/create` takes a JSON `payload`; new items are in QC (pending) up to 24 h.
  `/product/price_quantity/update` takes an XML `payload`, at most 50 SKUs (20 recommended).
- Push: `Authorization = hex(HMAC-SHA256(app_secret, app_key + raw_body))`, body `{seller_id,
  message_type, data, timestamp (ms), site}`; acknowledged only by HTTP 200 within 500 ms,
  otherwise retried every 30 min, at most 12 times (docId 120168).

Error codes not named in providers-2.md are marked [unverified] where they are used.
Known gap: Lazada wants product images hosted on its own CDN (`/image/migrate` first; an outside
link can be refused with 4138 BIZ_CHECK_EXIST_OUTER_IMAGE); this client sends our public image
URLs and the simulator accepts them.
Money: Lazada takes prices as decimal strings in the currency unit; for Indonesia that is
rupiah, which we send as whole rupiah ("15000"). Package weight is sent in kilograms (Lazada's
`package_weight` unit) from our grams.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import xml.etree.ElementTree as ET  # building only; parsing untrusted XML goes through defusedxml
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl, urlencode

import defusedxml.ElementTree as SafeET
import httpx
from defusedxml import DefusedXmlException

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

DEFAULT_API_URL = "https://api.lazada.co.id/rest"
DEFAULT_AUTH_URL = "https://auth.lazada.com/rest"

TIMESTAMP_WINDOW_SECONDS = 7200
CODE_LIFETIME_SECONDS = 30 * 60
# (access, refresh) lifetimes in seconds by app mode (docId 108260).
TOKEN_LIFETIMES = {"test": (7 * 86400, 30 * 86400), "online": (30 * 86400, 180 * 86400)}
QC_SECONDS = 24 * 3600  # the longest QC takes on Lazada; the simulator is given less
MAX_SKUS_PER_UPDATE = 50
SKUS_PER_UPDATE = 20  # Lazada's recommended batch
PUSH_ACK_SECONDS = 0.5
PUSH_RETRY_SECONDS = 30 * 60
PUSH_MAX_RETRIES = 12
# Codes that mean our tokens are no longer accepted ([unverified] except IllegalAccessToken).
AUTH_CODES = {"IllegalAccessToken", "IllegalRefreshToken"}
THROTTLE_CODES = {"E901", "ApiCallLimit", "AppCallLimit"}
# Lazada asks to retry a QPS-limited call "in the next second" (updatepricequantity error table).
THROTTLE_RETRY_SECONDS = 1.0


def lazada_sign(app_secret: str, api_path: str, params: dict[str, Any], body: str = "") -> str:
    """Lazada's request signature: UPPER hex HMAC-SHA256 over `api_path` + every param but
    `sign` as key+value sorted by key (ASCII) + the raw JSON body when there is one."""
    message = api_path + "".join(f"{key}{params[key]}" for key in sorted(params) if key != "sign") + body
    return hmac.new(app_secret.encode(), message.encode(), hashlib.sha256).hexdigest().upper()


def push_signature(app_key: str, app_secret: str, body: bytes) -> str:
    """The `Authorization` header of a Lazada push: hex HMAC-SHA256(app_secret, app_key + raw body)."""
    return hmac.new(app_secret.encode(), app_key.encode() + body, hashlib.sha256).hexdigest()


def _lazada_time(epoch: float) -> str:
    """Lazada's order timestamps: "2018-02-07 15:36:45 +0700" (Indonesia shown in WIB)."""
    return datetime.fromtimestamp(epoch, UTC).astimezone(_WIB).strftime("%Y-%m-%d %H:%M:%S %z")


def _parse_lazada_time(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%d %H:%M:%S %z").astimezone(UTC)


_WIB = timezone(timedelta(hours=7))


# ---------------------------------------------------------------------------------------------
# The platform's side
# ---------------------------------------------------------------------------------------------


class LazadaPlatform:
    """Lazada's HTTP API as a stateful `httpx.Request -> httpx.Response` handler.

    `state`: a `DbState("lazada")` or `MemoryState("lazada")`; `app_key`/`app_secret`: the one
    app it knows; `now`: clock in epoch seconds (injectable so tests move time without
    sleeping); `app_mode`: "test" | "online" (token lifetimes); `qc_seconds`: how long a new item
    stays in QC ("pending") before it is "active"; `qps`: calls per second per API path for this
    app before E901; `refreshable` False: tokens come with `refresh_expires_in = 0` (not
    refreshable, docId 108260); `duplicate_pushes`: every acknowledged push is sent a second
    time, as Lazada's at-least-once delivery may do.

    Objects kept (kind: key -> data): code, seller, seller_name, token, refresh, item, sku,
    order, push, rate."""

    def __init__(
        self,
        state: Any,
        *,
        app_key: str,
        app_secret: str,
        now: Callable[[], float] = time.time,
        app_mode: str = "test",
        qc_seconds: float = QC_SECONDS,
        qps: int = 20,
        refreshable: bool = True,
        duplicate_pushes: bool = False,
    ):
        self.state = state
        self.app_key = app_key
        self.app_secret = app_secret
        self.now = now
        self.app_mode = app_mode
        self.qc_seconds = qc_seconds
        self.qps = qps
        self.refreshable = refreshable
        self.duplicate_pushes = duplicate_pushes

    # -- envelope -------------------------------------------------------------------------

    @staticmethod
    def _request_id() -> str:
        return secrets.token_hex(12)

    def _ok(self, data: Any = None, **top: Any) -> httpx.Response:
        body = {"code": "0", "request_id": self._request_id(), **top}
        if data is not None:
            body["data"] = data
        return httpx.Response(200, json=body)

    def _error(self, code: str, message: str, *, type_: str = "ISV", status: int = 200, **extra: Any) -> httpx.Response:
        body = {"code": code, "type": type_, "message": message, "request_id": self._request_id(), **extra}
        return httpx.Response(status, json=body)

    # -- dispatch -------------------------------------------------------------------------

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        # The signed API path is what follows the gateway's "/rest".
        if "/rest/" in path:
            path = path[path.index("/rest/") + len("/rest") :]
        params: dict[str, str] = dict(request.url.params)
        body_text = ""
        content_type = request.headers.get("content-type", "")
        raw = request.read()
        if raw and "application/x-www-form-urlencoded" in content_type:
            params.update(parse_qsl(raw.decode(), keep_blank_values=True))
        elif raw:
            body_text = raw.decode()
        routes = {
            "/auth/token/create": self._token_create,
            "/auth/token/refresh": self._token_refresh,
            "/seller/get": self._seller_get,
            "/product/create": self._product_create,
            "/product/update": self._product_update,
            "/product/item/get": self._item_get,
            "/product/price_quantity/update": self._price_quantity_update,
            "/orders/get": self._orders_get,
            "/order/get": self._order_get,
            "/order/items/get": self._order_items_get,
        }
        handler = routes.get(path)
        if handler is None:
            return self._error("InvalidApiPath", "The specified API path is invalid", status=404)  # [unverified]
        refused = self._check_system(path, params, body_text)
        if refused is not None:
            return refused
        seller_id = ""
        if not path.startswith("/auth/"):
            token = self.state.get("token", params.get("access_token", "")) if params.get("access_token") else None
            if token is None or token["expires_at"] <= self.now():
                return self._error("IllegalAccessToken", "The specified access token is invalid or expired")
            seller_id = token["seller_id"]
        return handler(params, seller_id)

    def _check_system(self, path: str, params: dict[str, str], body_text: str) -> httpx.Response | None:
        for name in ("app_key", "timestamp", "sign_method", "sign"):
            if not params.get(name):
                return self._error(
                    "MissingParameter",
                    f"The input parameter '{name}' that is mandatory for processing this request is not supplied",
                )
        if params["app_key"] != self.app_key:
            return self._error("InvalidAppKey", "The specified app key is invalid")  # [unverified]
        try:
            stamp = int(params["timestamp"]) / 1000
        except ValueError:
            try:
                stamp = datetime.fromisoformat(params["timestamp"].replace("Z", "+00:00")).timestamp()
            except ValueError:
                return self._error("InvalidTimestamp", "Timestamp is invalid")  # [unverified]
        if abs(self.now() - stamp) > TIMESTAMP_WINDOW_SECONDS:
            return self._error("InvalidTimestamp", "Timestamp is out of the 7200 s window")  # [unverified]
        expected = lazada_sign(self.app_secret, path, params, body_text)
        if not hmac.compare_digest(expected, params["sign"]):
            return self._error(
                "IncompleteSignature", "The request signature does not conform to lazada standards"
            )  # [unverified]
        if self._throttled(path):
            return self._error(
                "E901",
                "The request is too frequent, or the requested functionality is temporarily disabled.",
                type_="ISP",
            )
        return None

    def _throttled(self, path: str) -> bool:
        """A per-second counter per API path for this app (a "rate" row, shared by processes)."""
        second = int(self.now())
        row = self.state.get("rate", path) or {}
        count = row.get("n", 0) + 1 if row.get("second") == second else 1
        self.state.put("rate", path, {"second": second, "n": count})
        return count > self.qps

    # -- auth -----------------------------------------------------------------------------

    def _issue_tokens(self, seller_id: str, refresh_expires_at: float | None = None, refresh_token: str = "") -> dict:
        access_life, refresh_life = TOKEN_LIFETIMES[self.app_mode]
        now = self.now()
        access = "50000" + secrets.token_hex(16)
        refresh = refresh_token or "50001" + secrets.token_hex(16)
        refresh_expires_at = refresh_expires_at or now + refresh_life
        self.state.put("token", access, {"seller_id": seller_id, "expires_at": now + access_life})
        if self.refreshable:
            self.state.put("refresh", refresh, {"seller_id": seller_id, "expires_at": refresh_expires_at})
        seller = self.state.get("seller", seller_id) or {}
        return {
            "access_token": access,
            "refresh_token": refresh,
            "expires_in": access_life,
            "refresh_expires_in": int(refresh_expires_at - now) if self.refreshable else 0,
            "country": "id",
            "account_platform": "seller_center",
            "account": seller.get("email", ""),
            "country_user_info": [
                {
                    "country": "id",
                    "user_id": seller.get("user_id", ""),
                    "seller_id": seller_id,
                    "short_code": seller.get("short_code", ""),
                }
            ],
        }

    def _token_create(self, params: dict[str, str], _seller: str) -> httpx.Response:
        code = params.get("code", "")
        if not code:
            return self._error(
                "MissingParameter",
                "The input parameter 'code' that is mandatory for processing this request is not supplied",
            )
        row = self.state.take("code", code)  # single use: taken in one step
        if row is None or row["created"] + CODE_LIFETIME_SECONDS < self.now():
            return self._error("InvalidCode", "Invalid authorization code")  # [unverified]
        return self._ok(None, **self._issue_tokens(row["seller_id"]))

    def _token_refresh(self, params: dict[str, str], _seller: str) -> httpx.Response:
        token = params.get("refresh_token", "")
        row = self.state.get("refresh", token) if token else None
        if row is None or row["expires_at"] <= self.now():
            return self._error(
                "IllegalRefreshToken", "The specified refresh token is invalid or expired"
            )  # [unverified]
        # Refresh resets the access clock only: the refresh deadline stays.
        return self._ok(None, **self._issue_tokens(row["seller_id"], row["expires_at"], token))

    def _seller_get(self, params: dict[str, str], seller_id: str) -> httpx.Response:
        seller = self.state.get("seller", seller_id) or {}
        return self._ok(
            {
                "seller_id": int(seller_id),
                "name": seller.get("name", ""),
                "short_code": seller.get("short_code", ""),
                "email": seller.get("email", ""),
                "location": "Indonesia",
            }
        )

    # -- products -------------------------------------------------------------------------

    def _item(self, item_id: str, seller_id: str) -> dict | None:
        item = self.state.get("item", str(item_id))
        if item is None or item["seller_id"] != seller_id:
            return None
        if item["status"] == "pending" and item["created"] + self.qc_seconds <= self.now():
            item["status"] = "active"  # QC passed
            self.state.put("item", str(item_id), item)
        return item

    @staticmethod
    def _payload_product(params: dict[str, str]) -> dict | None:
        try:
            product = json.loads(params.get("payload", ""))["Request"]["Product"]
        except (ValueError, KeyError, TypeError):
            return None
        return product if isinstance(product, dict) else None

    def _product_create(self, params: dict[str, str], seller_id: str) -> httpx.Response:
        product = self._payload_product(params)
        if product is None:
            return self._error("1001", "The parameters are not in JSON format")
        if not product.get("PrimaryCategory"):
            return self._error("201", "E201: Invalid CategoryId")
        attributes = product.get("Attributes") or {}
        if not attributes.get("name"):
            return self._error("4108", "CHK_BASIC_REQUIRED: name is mandatory")
        try:
            skus = product["Skus"]["Sku"]
            images = product["Images"]["Image"]
        except (KeyError, TypeError):
            return self._error("1001", "The parameters are not in JSON format")
        if not images:
            return self._error("4139", "BIZ_CHECK_MAIN_IMAGE_REQUIRE: Main image is require")
        sku_list = []
        stored = []
        for sku in skus:
            seller_sku = str(sku.get("SellerSku", ""))
            if self.state.get("sku", f"{seller_id}:{seller_sku}") is not None:
                return self._error("4105", "BIZ_CHECK_SELLER_SKU_DUPLICATE: SellerSku repeat")
            try:
                price = float(sku.get("price", 0))
                quantity = int(sku.get("quantity", 0))
            except (TypeError, ValueError):
                return self._error("4107", "CHECK_CAT_PROP_INVALID_NUMBER")
            if price <= 0:
                return self._error("4118", "BIZ_CHECK_PRICE_IS_ZERO: Price is not 0 check")
            sku_id = str(secrets.randbelow(9 * 10**9) + 10**9)
            stored.append({"SellerSku": seller_sku, "SkuId": sku_id, "price": price, "quantity": quantity})
        item_id = str(secrets.randbelow(9 * 10**9) + 10**9)
        for sku in stored:
            sku_list.append(
                {
                    "shop_sku": f"{item_id}_ID-{sku['SkuId']}",
                    "seller_sku": sku["SellerSku"],
                    "sku_id": int(sku["SkuId"]),
                }
            )
            self.state.put("sku", f"{seller_id}:{sku['SellerSku']}", {"item_id": item_id})
        self.state.put(
            "item",
            item_id,
            {
                "seller_id": seller_id,
                "name": attributes.get("name", ""),
                "category": str(product.get("PrimaryCategory")),
                "status": "pending",  # QC
                "created": self.now(),
                "skus": stored,
            },
        )
        return self._ok({"item_id": int(item_id), "sku_list": sku_list})

    def _product_update(self, params: dict[str, str], seller_id: str) -> httpx.Response:
        product = self._payload_product(params)
        if product is None:
            return self._error("1001", "The parameters are not in JSON format")
        item = self._item(str(product.get("ItemId", "")), seller_id)
        if item is None:
            return self._error("4137", "ITEM_NOT_FOUND")
        attributes = product.get("Attributes") or {}
        if attributes.get("name"):
            item["name"] = attributes["name"]
        for sku in (product.get("Skus") or {}).get("Sku", []):
            for mine in item["skus"]:
                if mine["SellerSku"] == str(sku.get("SellerSku", "")):
                    if "price" in sku:
                        mine["price"] = float(sku["price"])
                    if "quantity" in sku:
                        mine["quantity"] = int(sku["quantity"])
        self.state.put("item", str(product["ItemId"]), item)
        return self._ok({})

    def _item_get(self, params: dict[str, str], seller_id: str) -> httpx.Response:
        """GetProductItem: the item with its `status` ("pending" while in QC, then "active";
        [unverified] the exact status words)."""
        item = self._item(str(params.get("item_id", "")), seller_id)
        if item is None:
            return self._error("4137", "ITEM_NOT_FOUND")
        return self._ok({"item_id": int(params["item_id"]), "status": item["status"]})

    def _price_quantity_update(self, params: dict[str, str], seller_id: str) -> httpx.Response:
        try:
            root = SafeET.fromstring(params.get("payload", ""))
        except (ET.ParseError, DefusedXmlException):  # entities/DTDs are refused, not expanded
            return self._error("5", "E005: Invalid Request Format")
        skus = root.findall("./Product/Skus/Sku")
        if root.tag != "Request" or not skus:
            return self._error("30", "E030: Empty Request")
        if len(skus) > MAX_SKUS_PER_UPDATE:
            return self._error(
                "4171",
                "The updated SKU quantity exceeds the maximum number 50, "
                "please do not update more than 50 SKUs at once",
            )
        failures = []
        for sku in skus:
            seller_sku = (sku.findtext("SellerSku") or "").strip()
            link = self.state.get("sku", f"{seller_id}:{seller_sku}")
            item = self._item(link["item_id"], seller_id) if link else None
            if item is None:
                failures.append({"field": "SellerSku", "message": "SELLER_SKU_NOT_FOUND", "seller_sku": seller_sku})
                continue
            quantity_text = sku.findtext("Quantity")
            price_text = sku.findtext("Price")
            try:
                quantity = int(quantity_text) if quantity_text is not None else None
                price = float(price_text) if price_text is not None else None
            except ValueError:
                quantity = -1
                price = None
            if quantity is not None and quantity < 0:
                failures.append(
                    {"field": "Quantity", "message": "THD_INVENTORY_ERR_INV_PARAM_ILLEGAL", "seller_sku": seller_sku}
                )
                continue
            for mine in item["skus"]:
                if mine["SellerSku"] == seller_sku:
                    if quantity is not None:
                        mine["quantity"] = quantity
                    if price is not None:
                        mine["price"] = price
            self.state.put("item", link["item_id"], item)
        if failures:
            # The generic 501 with a per-SKU `detail` list; the other SKUs were applied
            # (partial success) [unverified: which SKUs Lazada applies on a 501].
            return self._error("501", "E501: Update product failed", detail=failures)
        return self._ok({})

    # -- orders ---------------------------------------------------------------------------

    @staticmethod
    def _order_view(order: dict) -> dict:
        return {
            "order_id": int(order["order_id"]),
            "order_number": int(order["order_id"]),
            "created_at": _lazada_time(order["created"]),
            "updated_at": _lazada_time(order["updated"]),
            "price": f"{order['price']:.2f}",
            "statuses": [order["status"]],
            "customer_first_name": order["buyer_name"],
            "customer_last_name": "",
            "items_count": len(order["items"]),
        }

    def _orders_get(self, params: dict[str, str], seller_id: str) -> httpx.Response:
        since_text = params.get("update_after") or params.get("created_after")
        if not since_text:
            return self._error(
                "MissingParameter",
                "The input parameter 'created_after' that is mandatory for processing this request is not supplied",
            )
        try:
            since = datetime.fromisoformat(since_text.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return self._error("InvalidParameter", "Invalid date format for created_after/update_after")
        field = "updated" if params.get("update_after") else "created"
        offset = int(params.get("offset") or 0)
        limit = min(int(params.get("limit") or 100), 100)
        orders = [o for _, o in self.state.all("order") if o["seller_id"] == seller_id and o[field] >= since]
        orders.sort(key=lambda o: o[field])
        page = orders[offset : offset + limit]
        return self._ok({"count": len(page), "countTotal": len(orders), "orders": [self._order_view(o) for o in page]})

    def _order_or_error(self, params: dict[str, str], seller_id: str) -> dict | httpx.Response:
        order = self.state.get("order", params.get("order_id", ""))
        if order is None or order["seller_id"] != seller_id:
            return self._error("16", "E016: Invalid Order ID")  # [unverified]
        return order

    def _order_get(self, params: dict[str, str], seller_id: str) -> httpx.Response:
        order = self._order_or_error(params, seller_id)
        return order if isinstance(order, httpx.Response) else self._ok(self._order_view(order))

    def _order_items_get(self, params: dict[str, str], seller_id: str) -> httpx.Response:
        order = self._order_or_error(params, seller_id)
        if isinstance(order, httpx.Response):
            return order
        return self._ok(
            [
                {
                    "order_item_id": int(line["order_item_id"]),
                    "order_id": int(order["order_id"]),
                    "product_id": int(line["item_id"]),
                    "sku_id": line["sku_id"],
                    "sku": line["seller_sku"],
                    "shop_sku": f"{line['item_id']}_ID-{line['sku_id']}",
                    "name": line["name"],
                    "item_price": f"{line['price']:.2f}",
                    "paid_price": f"{line['price']:.2f}",
                    "status": order["status"],
                }
                for line in order["items"]
            ]
        )

    # -- the platform's own actions (simulator buttons, tests) ----------------------------

    def consent(self, shop_name: str = "", seller_key: str = "") -> str:
        """A seller approves our app: a fresh single-use code for her shop (the same one again
        for the same `seller_key`, else the same shop name)."""
        shop_name = shop_name or "Toko Simulasi Lazada"
        link_key = seller_key or shop_name
        link = self.state.get("seller_name", link_key)
        if link is None:
            seller_id = str(secrets.randbelow(9 * 10**8) + 10**8)
            self.state.put(
                "seller",
                seller_id,
                {
                    "name": shop_name,
                    "short_code": "ID" + secrets.token_hex(3).upper(),
                    "email": f"seller{seller_id}@example.com",
                    "user_id": str(secrets.randbelow(9 * 10**8) + 10**8),
                },
            )
            self.state.put("seller_name", link_key, {"seller_id": seller_id})
        else:
            seller_id = link["seller_id"]
        code = "0_" + secrets.token_hex(16)
        self.state.put("code", code, {"seller_id": seller_id, "created": self.now()})
        return code

    def place_order(self, seller_id: str, lines: list[tuple[str, int]], buyer_name: str = "") -> str:
        """A buyer orders `lines` = [(item id, quantity)] (first SKU of each item). Only items
        past QC can be bought; stock goes down; one push per order line is queued.
        Raises ChannelError (not retryable) on an unknown, pending or short item."""
        items = []
        for item_id, quantity in lines:
            item = self._item(str(item_id), str(seller_id))
            if item is None:
                raise ChannelError("lazada", f"item {item_id} not found", platform_code="4137")
            if item["status"] != "active":
                raise ChannelError("lazada", f"item {item_id} is still in QC", platform_code="QC_PENDING")
            if quantity <= 0 or item["skus"][0]["quantity"] < quantity:
                raise ChannelError("lazada", f"item {item_id} is out of stock", platform_code="OUT_OF_STOCK")
            items.append((str(item_id), item, quantity))
        order_id = str(secrets.randbelow(9 * 10**14) + 10**14)
        now = self.now()
        order_lines = []
        for item_id, item, quantity in items:
            sku = item["skus"][0]
            sku["quantity"] -= quantity
            self.state.put("item", item_id, item)
            # Lazada has one order item per unit bought.
            for _ in range(quantity):
                order_lines.append(
                    {
                        "order_item_id": str(secrets.randbelow(9 * 10**14) + 10**14),
                        "item_id": item_id,
                        "sku_id": sku["SkuId"],
                        "seller_sku": sku["SellerSku"],
                        "name": item["name"],
                        "price": sku["price"],
                    }
                )
        order = {
            "order_id": order_id,
            "seller_id": str(seller_id),
            "status": "pending",
            "buyer_name": buyer_name or "Pembeli Lazada",
            "created": now,
            "updated": now,
            "price": sum(line["price"] for line in order_lines),
            "items": order_lines,
        }
        self.state.put("order", order_id, order)
        self._queue_line_pushes(order)
        return order_id

    def cancel_order(self, seller_id: str, order_id: str) -> None:
        """The buyer cancels: stock comes back, status "canceled", pushes queued."""
        order = self.state.get("order", str(order_id))
        if order is None or order["seller_id"] != str(seller_id):
            raise ChannelError("lazada", f"order {order_id} not found", platform_code="16")
        if order["status"] == "canceled":
            return
        for line in order["items"]:
            item = self.state.get("item", line["item_id"])
            if item is not None:
                for sku in item["skus"]:
                    if sku["SellerSku"] == line["seller_sku"]:
                        sku["quantity"] += 1
                self.state.put("item", line["item_id"], item)
        order["status"] = "canceled"
        order["updated"] = self.now()
        self.state.put("order", str(order_id), order)
        self._queue_line_pushes(order)

    def _queue_line_pushes(self, order: dict) -> None:
        """Trade-order pushes (message_type 0), one per order line as Lazada sends them."""
        for line in order["items"]:
            body = {
                "seller_id": order["seller_id"],
                "message_type": 0,
                "data": {
                    "order_status": order["status"],
                    "trade_order_id": order["order_id"],
                    "trade_order_line_id": line["order_item_id"],
                    "status_update_time": int(order["updated"]),
                },
                "timestamp": int(self.now() * 1000),
                "site": "lazada_id",
            }
            self.state.put(
                "push",
                secrets.token_hex(8),
                {"body": json.dumps(body, separators=(",", ":")), "attempts": 0, "next_at": self.now()},
            )

    def deliver(self, webhook_url: str, *, force: bool = False, client: httpx.Client | None = None) -> int:
        """POST every due push to `webhook_url`, signed. Only HTTP 200 within 500 ms
        acknowledges; otherwise the push is retried 30 min later, at most 12 times, then dropped.
        `force`: ignore the schedule (try every queued push now). Returns how many were acked."""

        def next_retry(push: dict) -> float | None:
            push["attempts"] += 1
            return None if push["attempts"] > PUSH_MAX_RETRIES else PUSH_RETRY_SECONDS  # 12 retries, then gone

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


class LazadaChannel(MarketplaceChannel):
    """Lazada through its Open Platform API (`httpx`, signed requests).

    Options (from `tokoblitar.provider_settings`): `app_key`, `app_secret`, `api_url` (the
    country gateway ending in /rest), `auth_url` (https://auth.lazada.com/rest), `timeout`
    (seconds), `webhook_url` (where Lazada pushes; configured in the app console, kept for the
    simulator). `transport`: an httpx transport (the simulator's MockTransport); `now`: clock in
    epoch seconds. Every method raises ChannelError (`platform_code` = Lazada's code)."""

    platform = "lazada"

    def __init__(
        self,
        *,
        app_key: str = "",
        app_secret: str = "",
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
        self.api_url = (api_url or DEFAULT_API_URL).rstrip("/")
        self.auth_url = (auth_url or DEFAULT_AUTH_URL).rstrip("/")
        self.timeout = float(timeout or 20.0)
        self.webhook_url = webhook_url
        self.transport = transport
        self.now = now or time.time

    # -- transport ------------------------------------------------------------------------

    def _call(
        self,
        base: str,
        api_path: str,
        params: dict[str, Any],
        *,
        access_token: str = "",
        method: str = "POST",
        accept: tuple[str, ...] = (),
    ) -> dict:
        """One signed call; returns the whole decoded body (code "0", or a code in `accept`).
        Raises ChannelError."""
        system = {"app_key": self.app_key, "timestamp": str(int(self.now() * 1000)), "sign_method": "sha256"}
        if access_token:
            system["access_token"] = access_token
        api_params = {k: str(v) for k, v in params.items()}
        system["sign"] = lazada_sign(self.app_secret, api_path, {**system, **api_params})
        # System params in the query string, API params in the form body (as the lazop SDK).
        url = f"{base}{api_path}?{urlencode(system)}"
        try:
            with httpx.Client(timeout=self.timeout, transport=self.transport) as client:
                if method == "GET":
                    response = client.get(f"{url}&{urlencode(api_params)}" if api_params else url)
                else:
                    response = client.post(url, data=api_params)
        except httpx.HTTPError as exc:
            raise ChannelError("lazada", f"network error: {exc.__class__.__name__}", retryable=True) from exc
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code >= 500 or not isinstance(body, dict):
            raise ChannelError(
                "lazada",
                f"HTTP {response.status_code}",
                retryable=response.status_code >= 500,
                status=response.status_code,
            )
        code = str(body.get("code", ""))
        if code == "0" or code in accept:
            return body
        raise self._error(body, response.status_code)

    @staticmethod
    def _error(body: dict, status: int) -> ChannelError:
        code = str(body.get("code", ""))
        message = str(body.get("message", "")) or code
        if code in THROTTLE_CODES:
            return ChannelError(
                "lazada", message, platform_code=code, retryable=True, retry_after=THROTTLE_RETRY_SECONDS, status=status
            )
        return ChannelError(
            "lazada",
            message,
            platform_code=code,
            auth_failed=code in AUTH_CODES,
            retryable=code in ("6", "1000"),
            status=status,
        )

    # -- auth -----------------------------------------------------------------------------

    def authorize_url(self, *, state: str, redirect_uri: str) -> str:
        """https://auth.lazada.com/oauth/authorize?response_type=code&force_auth=true&… (docId 108260)."""
        oauth = self.auth_url.removesuffix("/rest")
        query = urlencode(
            {
                "response_type": "code",
                "force_auth": "true",
                "redirect_uri": redirect_uri,
                "client_id": self.app_key,
                "state": state,
            }
        )
        return f"{oauth}/oauth/authorize?{query}"

    def _token_set(self, body: dict) -> TokenSet:
        now = self.now()
        info = (body.get("country_user_info") or [{}])[0]
        refresh_in = int(body.get("refresh_expires_in") or 0)
        tokens = TokenSet(
            access_token=body["access_token"],
            refresh_token=body.get("refresh_token", ""),
            access_expires_at=datetime.fromtimestamp(now + int(body.get("expires_in") or 0), UTC),
            # refresh_expires_in 0 = the token cannot be refreshed (docId 108260).
            refresh_expires_at=datetime.fromtimestamp(now + refresh_in, UTC) if refresh_in else None,
            shop_id=str(info.get("seller_id", "")),
            refreshable=refresh_in > 0,
            extra={
                "country": body.get("country", ""),
                "account": body.get("account", ""),
                "short_code": info.get("short_code", ""),
            },
        )
        return tokens

    def exchange_code(self, *, code: str, params: dict[str, str]) -> TokenSet:
        """`/auth/token/create {code}` then `/seller/get` for the shop name. Raises ChannelError
        (`InvalidCode` for a used or expired code)."""
        tokens = self._token_set(self._call(self.auth_url, "/auth/token/create", {"code": code}))
        seller = (
            self._call(self.api_url, "/seller/get", {}, access_token=tokens.access_token, method="GET").get("data")
            or {}
        )
        tokens.shop_name = seller.get("name", "")
        tokens.shop_id = tokens.shop_id or str(seller.get("seller_id", ""))
        return tokens

    def refresh(self, tokens: TokenSet) -> TokenSet:
        """`/auth/token/refresh`: a new access token; the refresh deadline does not move."""
        if not tokens.refreshable:
            raise ChannelError(
                "lazada",
                "this authorization cannot be refreshed",
                platform_code="IllegalRefreshToken",
                auth_failed=True,
            )
        body = self._call(self.auth_url, "/auth/token/refresh", {"refresh_token": tokens.refresh_token})
        fresh = self._token_set(body)
        fresh.shop_id = fresh.shop_id or tokens.shop_id
        fresh.shop_name = tokens.shop_name
        fresh.extra = {**tokens.extra, **{k: v for k, v in fresh.extra.items() if v}}
        return fresh

    # -- listings -------------------------------------------------------------------------

    @staticmethod
    def _product_payload(item: ListingInput) -> str:
        sku = {
            "SellerSku": item.sku,
            "quantity": str(item.stock),
            "price": str(int(item.price)),  # whole rupiah as Lazada's decimal string
            "package_weight": f"{item.weight_grams / 1000:.3f}",  # Lazada wants kilograms
            "package_length": "10",
            "package_width": "10",
            "package_height": "10",
        }
        product: dict[str, Any] = {
            "PrimaryCategory": item.category_id,
            "Images": {"Image": item.image_urls},
            "Attributes": {"name": item.name, "description": item.description, "brand": "No Brand"},
            "Skus": {"Sku": [sku]},
        }
        if item.external_id:
            product["ItemId"] = item.external_id
        return json.dumps({"Request": {"Product": product}}, separators=(",", ":"))

    def upsert_listings(self, tokens: TokenSet, items: list[ListingInput]) -> list[ListingResult]:
        """One `/product/create` (no external_id; the item enters QC: status "pending_review") or
        `/product/update` per item. A product-level refusal (Lazada's numeric business codes) is
        a failed result. A throttle or network failure after some items went through marks the
        rest failed and retryable (Lazada has no idempotency key, so re-raising would make the
        caller repeat creates that worked); before any, and any token refusal, raises."""
        results: list[ListingResult] = []
        for index, item in enumerate(items):
            path = "/product/update" if item.external_id else "/product/create"
            try:
                body = self._call(
                    self.api_url, path, {"payload": self._product_payload(item)}, access_token=tokens.access_token
                )
            except ChannelError as exc:
                business = exc.platform_code.isdigit() and not exc.retryable
                if business:
                    results.append(self._failed(item, exc))
                    continue
                if exc.auth_failed or not exc.retryable or index == 0:
                    raise
                # Throttled or cut off part-way: the rest waits for a retry.
                results.extend(self._failed(rest, exc) for rest in items[index:])
                return results
            if item.external_id:
                # An updated item may still be in QC: say what Lazada says, not "live".
                status = self.listing_status(tokens, item.external_id) or "live"
                results.append(ListingResult(item.product_id, True, item.external_id, item.sku, status=status))
            else:
                data = body.get("data") or {}
                results.append(
                    ListingResult(
                        item.product_id, True, str(data.get("item_id", "")), item.sku, status="pending_review"
                    )
                )
        return results

    def listing_status(self, tokens: TokenSet, external_id: str) -> str:
        """The item's state on Lazada (`/product/item/get`): "pending_review" while in QC,
        "live" when active, "failed" when rejected/deleted there, "" when it cannot be read now."""
        try:
            body = self._call(
                self.api_url,
                "/product/item/get",
                {"item_id": external_id},
                access_token=tokens.access_token,
                method="GET",
            )
        except ChannelError:
            return ""
        status = str((body.get("data") or {}).get("status", "")).lower()
        if status in ("pending", "pending qc", "qc"):
            return "pending_review"
        if status in ("active", "inactive"):
            return "live"
        return "failed" if status in ("rejected", "deleted") else ""

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

    @staticmethod
    def _stock_xml(updates: list[StockUpdate]) -> str:
        request = ET.Element("Request")
        skus = ET.SubElement(ET.SubElement(request, "Product"), "Skus")
        for update in updates:
            sku = ET.SubElement(skus, "Sku")
            ET.SubElement(sku, "ItemId").text = str(update.external_id)
            ET.SubElement(sku, "SellerSku").text = update.external_sku_id
            ET.SubElement(sku, "Quantity").text = str(int(update.stock))
        return ET.tostring(request, encoding="unicode")

    def update_stock(self, tokens: TokenSet, updates: list[StockUpdate]) -> list[StockResult]:
        """`/product/price_quantity/update` with an XML payload, 20 SKUs per call (Lazada's
        recommendation; 50 is the hard limit). A 501 with a per-SKU `detail` list is a partial
        success: those SKUs fail, the others are ok. Other refusals raise ChannelError."""
        results: list[StockResult] = []
        for start in range(0, len(updates), SKUS_PER_UPDATE):
            batch = updates[start : start + SKUS_PER_UPDATE]
            body = self._call(
                self.api_url,
                "/product/price_quantity/update",
                {"payload": self._stock_xml(batch)},
                access_token=tokens.access_token,
                accept=("501",),
            )
            details = body.get("detail") if body.get("code") == "501" else []
            if body.get("code") == "501" and not details:
                raise self._error(body, 200)
            failed = {str(d.get("seller_sku", "")): d for d in details}
            for update in batch:
                problem = failed.get(update.external_sku_id)
                if problem is None:
                    results.append(StockResult(update.external_id, True))
                else:
                    results.append(
                        StockResult(
                            update.external_id, False, error_code="501", error_message=str(problem.get("message", ""))
                        )
                    )
        return results

    # -- orders ---------------------------------------------------------------------------

    def _order(self, tokens: TokenSet, head: dict) -> ChannelOrderData:
        items = self._call(
            self.api_url,
            "/order/items/get",
            {"order_id": head["order_id"]},
            access_token=tokens.access_token,
            method="GET",
        )
        grouped: dict[tuple[str, str], ChannelOrderLine] = {}
        for line in items.get("data") or []:
            key = (str(line.get("product_id", "")), str(line.get("sku", "")))
            price = int(round(float(line.get("item_price") or 0)))
            if key in grouped:
                grouped[key].quantity += 1  # Lazada lists one order item per unit
            else:
                grouped[key] = ChannelOrderLine(key[0], key[1], 1, price, str(line.get("order_item_id", "")))
        statuses = head.get("statuses") or [""]
        status = str(statuses[0])
        return ChannelOrderData(
            external_order_id=str(head["order_id"]),
            status=status,
            lines=list(grouped.values()),
            created_at=_parse_lazada_time(head["created_at"]),
            buyer_name=" ".join(p for p in (head.get("customer_first_name"), head.get("customer_last_name")) if p),
            total=int(round(float(head.get("price") or 0))),
            cancelled=status in ("canceled", "cancelled"),
        )

    def fetch_orders(self, tokens: TokenSet, *, since: datetime) -> list[ChannelOrderData]:
        """`/orders/get?update_after=…` (ISO 8601, pages of 100) then `/order/items/get` per order."""
        orders: list[ChannelOrderData] = []
        offset = 0
        while True:
            body = self._call(
                self.api_url,
                "/orders/get",
                {
                    "update_after": since.astimezone(UTC).isoformat(timespec="seconds"),
                    "offset": offset,
                    "limit": 100,
                    "sort_by": "updated_at",
                    "sort_direction": "ASC",
                },
                access_token=tokens.access_token,
                method="GET",
            )
            page = (body.get("data") or {}).get("orders") or []
            orders.extend(self._order(tokens, head) for head in page)
            offset += len(page)
            if not page or offset >= int((body.get("data") or {}).get("countTotal") or 0):
                return orders

    def get_order(self, tokens: TokenSet, external_order_id: str) -> ChannelOrderData:
        """`/order/get` + `/order/items/get`."""
        body = self._call(
            self.api_url, "/order/get", {"order_id": external_order_id}, access_token=tokens.access_token, method="GET"
        )
        return self._order(tokens, body.get("data") or {})

    # -- pushes ---------------------------------------------------------------------------

    def verify_push(self, *, url: str, headers: dict[str, str], body: bytes) -> bool:
        """True when `Authorization` equals hex HMAC-SHA256(app_secret, app_key + body)."""
        given = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        expected = push_signature(self.app_key, self.app_secret, body)
        return bool(given) and hmac.compare_digest(expected, given.strip().lower())

    def parse_push(self, body: bytes) -> list[PushEvent]:
        """message_type 0 (trade order) -> an "order" event per line; others "other".
        `event_id` = trade_order_id:trade_order_line_id:order_status, since Lazada's duplicate
        key (order + line) alone would also swallow a later status change of the same line."""
        try:
            payload = json.loads(body)
            seller_id = str(payload["seller_id"])
            message_type = int(payload["message_type"])
            data = payload.get("data") or {}
        except (ValueError, KeyError, TypeError) as exc:
            raise ChannelError("lazada", "malformed push body") from exc
        if message_type == 0:
            order_id = str(data.get("trade_order_id", ""))
            event_id = f"{order_id}:{data.get('trade_order_line_id', '')}:{data.get('order_status', '')}"
            return [PushEvent("order", seller_id, order_id, event_id, data)]
        return [PushEvent("other", seller_id, data=data)]


# ---------------------------------------------------------------------------------------------
# The simulator
# ---------------------------------------------------------------------------------------------


class SimulatorLazadaChannel(LazadaChannel, SimulatedPlatform):
    """The live client over `httpx.MockTransport(LazadaPlatform(DbState("lazada")))`: every
    rule of the real API applies. The app key defaults to "sim-lazada"; the app secret is this
    installation's simulator secret. `qc_seconds`: 60 s here so a demo item goes live soon."""

    is_simulator = True

    def __init__(
        self,
        *,
        app_key: str = "",
        app_secret: str = "",
        webhook_url: str = "",
        state: Any = None,
        now: Callable[[], float] | None = None,
        clock: Callable[[], float] | None = None,
        qc_seconds: float = 60,
        app_mode: str = "test",
        **options: Any,
    ):
        from marketplace.channels.simstate import DbState

        app_key = app_key or "sim-lazada"
        clock = now or clock or time.time  # `clock`: the name shopee.py uses
        self.sim = LazadaPlatform(
            state if state is not None else DbState("lazada"),
            app_key=app_key,
            app_secret=app_secret,
            now=clock,
            app_mode=app_mode,
            qc_seconds=qc_seconds,
        )
        self.platform_side = self.sim  # the attribute name shopee.py uses
        super().__init__(
            app_key=app_key,
            app_secret=app_secret,
            webhook_url=webhook_url,
            transport=httpx.MockTransport(self.sim),
            now=clock,
            **options,
        )

    def authorize_url(self, *, state: str, redirect_uri: str) -> str:
        return "/dashboard/marketplace/simulator/lazada/authorize?" + urlencode(
            {"state": state, "redirect_uri": redirect_uri}
        )

    def simulate_consent(self, *, shop_name: str = "", seller_key: str = "") -> dict[str, str]:
        return {"code": self.sim.consent(shop_name, seller_key)}

    def simulate_order(self, *, shop_id: str, lines: list[tuple[str, int]], buyer_name: str = "") -> str:
        return self.sim.place_order(shop_id, lines, buyer_name)

    def simulate_cancel(self, *, shop_id: str, external_order_id: str) -> None:
        self.sim.cancel_order(shop_id, external_order_id)

    def deliver_pushes(self, *, force: bool = False) -> int:
        """Pushes due now (`force`: all queued) to `webhook_url`; see LazadaPlatform.deliver."""
        return self.sim.deliver(self.webhook_url, force=force)
