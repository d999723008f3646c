"""Locust user for the soak benchmark (bench/soak.py starts it; not meant to be run by hand).

One `Buyer` = one signed-in buyer account in a phone browser: it signs in once (the login page
for the CSRF cookie, then `POST /api/auth/login`, which answers a token and a session cookie),
then, between 1 and 3 s of "thinking" each time, picks a weighted step:

- browse: the home page, a store page, a product page (HTML), the search page (HTML);
- search: `GET /api/buyer/products?search=…` over the relevance benchmark's Indonesian queries;
- buy (the whole journey, each request its own named step): the product page, add to cart (the
  storefront form, 302 to the cart), the cart page (must list the product), checkout
  (`POST /api/buyer/orders`, 1 unit of a product with a stock that cannot run out, valid
  shipping data, an Idempotency-Key), the payment page, "Bayar" on the payment simulator (the
  form POST whose simulator sends the signed notification to the real webhook; 302 back to the
  payment page), the status the payment page polls (must say paid), the order's tracking page
  and its tracking API;
- revisit: the tracking page and tracking API of one of its earlier orders.

Every answer other than the expected one (200, or 201 for checkout, or the 302 of the two form
posts) is a failure, and so is an answer without what the step needs (token, order id, paid).

Input: the JSON file named by SOAK_DATA (written by bench/soak.py): store slugs, product
paths, the products to buy, buyer emails and their password, search queries, the address.
Output: the JSON file named by SOAK_RESULT, written when locust quits (after `--stop-timeout`
has let the journeys in flight finish; locust's own `--csv` files are last written before
that): per step requests, failures and percentiles, the failures and the exceptions.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import uuid
from urllib.parse import urlencode

from locust import HttpUser, between, events, task
from requests.cookies import RequestsCookieJar

with open(os.environ["SOAK_DATA"], encoding="utf-8") as _file:  # noqa: PTH123 - read once at import
    DATA = json.load(_file)
_BUYER_NUMBERS = itertools.count()
_ENVIRONMENT = []
PERCENTILES = {"p50": 0.5, "p95": 0.95, "p99": 0.99}


@events.init.add_listener
def _keep_environment(environment, **_kwargs) -> None:  # noqa: ANN001 - locust's Environment
    _ENVIRONMENT.append(environment)


def _entry(entry) -> dict:  # noqa: ANN001 - locust.stats.StatsEntry
    return {
        "name": entry.name,
        "method": entry.method,
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        **{key: entry.get_response_time_percentile(p) for key, p in PERCENTILES.items()},
        "max": entry.max_response_time,
        "rps": entry.total_rps,
    }


@events.quit.add_listener
def _write_result(**_kwargs) -> None:
    environment = _ENVIRONMENT[0]
    stats = environment.stats
    result = {
        "steps": [_entry(e) for e in stats.entries.values() if e.num_requests or e.num_failures],
        "total": _entry(stats.total),
        "failures": [
            {"method": e.method, "name": e.name, "error": str(e.error), "occurrences": e.occurrences}
            for e in stats.errors.values()
        ],
        "exceptions": [
            {"count": e["count"], "message": e["msg"], "traceback": e["traceback"]}
            for e in environment.runner.exceptions.values()
        ],
    }
    with open(os.environ["SOAK_RESULT"], "w", encoding="utf-8") as file:  # noqa: PTH123
        json.dump(result, file, indent=1)


class LoopbackHttpsJar(RequestsCookieJar):
    """The server runs with DEBUG off, so its session and CSRF cookies are `Secure`; a browser
    reaches it over HTTPS (behind the TLS proxy). The load generator talks plain HTTP to
    127.0.0.1, so it keeps those cookies as not-Secure and sends them back over http, as that
    browser would over https. (A cookie policy would not do: requests copies the session's
    cookies into a fresh jar with the default policy for every request.)"""

    def set_cookie(self, cookie, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN201 - cookiejar's signature
        cookie.secure = False
        return super().set_cookie(cookie, *args, **kwargs)


class Buyer(HttpUser):
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.client.cookies = LoopbackHttpsJar()
        self.origin = self.host.rstrip("/")
        self.token = ""
        self.orders: list[str] = []
        email = DATA["buyers"][next(_BUYER_NUMBERS) % len(DATA["buyers"])]
        self.page("/login/", "login page")
        with self.client.post(
            "/api/auth/login",
            json={"email": email, "password": DATA["password"]},
            headers=self.csrf_headers(),
            name="login (API)",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}: {response.text[:200]}")
                return
            self.token = response.json()["data"]["token"]
            if "sessionid" not in self.client.cookies:
                response.failure("no session cookie after login (CSRF check refused?)")

    # --- helpers ------------------------------------------------------------------------------

    def csrf_headers(self) -> dict[str, str]:
        return {"X-CSRFToken": self.client.cookies.get("csrftoken", ""), "Origin": self.origin}

    def api_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def page(self, path: str, name: str, *, must_contain: str = "") -> bool:
        """GET an HTML page; 200 (and `must_contain` in it) or a failure. True when it passed."""
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code} for {path}: {response.text[:200]}")
                return False
            if must_contain and must_contain not in response.text:
                response.failure(f"{must_contain!r} not on {path}")
                return False
            response.success()
            return True

    def form_post(self, path: str, name: str, fields: dict, *, location: str) -> bool:
        """POST a storefront form (CSRF field and Origin as a browser sends them); it must
        answer 302 to a URL containing `location`."""
        body = {"csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""), **fields}
        with self.client.post(
            path, data=body, headers={"Origin": self.origin}, name=name, allow_redirects=False, catch_response=True
        ) as response:
            target = response.headers.get("Location", "")
            if response.status_code != 302 or location not in target:
                response.failure(f"HTTP {response.status_code} → {target!r} for {path}: {response.text[:200]}")
                return False
            response.success()
            return True

    def track(self, order_id: str) -> None:
        self.page(f"/pesanan/{order_id}/", "tracking page")
        with self.client.get(
            f"/api/buyer/orders/{order_id}/track",
            headers=self.api_headers(),
            name="tracking (API)",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}: {response.text[:200]}")
            else:
                response.success()

    # --- browse and search --------------------------------------------------------------------

    @task(3)
    def home(self) -> None:
        self.page("/", "home page")

    @task(3)
    def store(self) -> None:
        self.page(f"/store/{random.choice(DATA['stores'])}/", "store page")  # noqa: S311 - load mix

    @task(6)
    def product(self) -> None:
        store_slug, product_slug = random.choice(DATA["products"])  # noqa: S311
        self.page(f"/p/{store_slug}/{product_slug}/", "product page")

    @task(2)
    def search_page(self) -> None:
        self.page(f"/cari/?{urlencode({'q': random.choice(DATA['queries'])})}", "search page")  # noqa: S311

    @task(6)
    def search_api(self) -> None:
        params = {"search": random.choice(DATA["queries"])}  # noqa: S311
        if random.random() < 0.2:  # noqa: S311 - some buyers sort by price
            params["sort"] = "price_asc"
        with self.client.get(
            f"/api/buyer/products?{urlencode(params)}", name="search (API)", catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}: {response.text[:200]}")
            elif not isinstance(response.json().get("data"), list):
                response.failure(f"no result list: {response.text[:200]}")
            else:
                response.success()

    # --- buy ----------------------------------------------------------------------------------

    @task(2)
    def buy(self) -> None:
        if not self.token:
            return
        item = random.choice(DATA["buy"])  # noqa: S311
        if not self.page(f"/p/{item['store_slug']}/{item['product_slug']}/", "product page"):
            return
        added = self.form_post(
            "/keranjang/tambah/",
            "add to cart",
            {"product_id": item["product_id"], "quantity": 1},
            location="/keranjang/",
        )
        if not added or not self.page("/keranjang/", "cart page", must_contain=item["name"]):
            return
        body = {
            "store_id": item["store_id"],
            "items": [{"product_id": item["product_id"], "quantity": 1}],
            "shipping_address": DATA["address"],
            "courier": DATA["courier"],
        }
        headers = {**self.api_headers(), "Idempotency-Key": uuid.uuid4().hex}
        with self.client.post(
            "/api/buyer/orders", json=body, headers=headers, name="checkout (API)", catch_response=True
        ) as response:
            if response.status_code != 201:
                response.failure(f"HTTP {response.status_code}: {response.text[:300]}")
                return
            order_id = (response.json().get("data") or {}).get("order_id")
            if not order_id:
                response.failure(f"no order_id: {response.text[:300]}")
                return
            response.success()
        self.orders.append(order_id)
        if not self.page(f"/pay/{order_id}/", "payment page"):
            return
        if not self.form_post(f"/pay/{order_id}/simulate/pay", "pay (simulator)", {}, location=f"/pay/{order_id}/"):
            return
        # What the payment page polls: the simulator's notification went through the real
        # webhook inside the POST above, so the order must be paid now.
        with self.client.get(f"/pay/{order_id}/status", name="payment status", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}: {response.text[:200]}")
            elif not response.json().get("is_paid"):
                response.failure(f"not paid after the simulator's pay: {response.text[:200]}")
            else:
                response.success()
        self.track(order_id)

    @task(1)
    def revisit_order(self) -> None:
        if self.orders:
            self.track(random.choice(self.orders))  # noqa: S311
