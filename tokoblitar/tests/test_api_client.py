"""The OpenAPI document is machine-usable: a client generated from it works end to end.

`openapi-python-client` (pinned in requirements.txt; runs offline) generates a package from
`/api/schema` as the live server serves it, into a temporary folder outside the repository;
the test imports every module of it and drives register → login → search → cart → order →
order detail through it against that server, with the payment and shipping simulators.
Parsing a body with the generated models fails on a missing key or a wrong type; every
parsed object is also checked for keys the schema does not name (`additional_properties`).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import pkgutil
import subprocess
import sys
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import pytest
from django.apps import apps

from orders.tests.factories import ADDRESS

PACKAGE = "tokoblitar_api_client"
GENERATOR = Path(sys.executable).with_name("openapi-python-client")
PASSWORD = "Rahasia-Kuat-123"


@pytest.fixture
def areas(transactional_db) -> None:
    # The live server's tests flush tables between tests, the seeded districts included.
    importlib.import_module("shipping.migrations.0002_seed_areas").seed(apps, None)


def _schema(base_url: str) -> dict:
    with urllib.request.urlopen(f"{base_url}/api/schema?format=json", timeout=30) as response:  # noqa: S310
        return json.load(response)


@pytest.fixture
def schema(live_server) -> dict:
    return _schema(live_server.url)


@pytest.fixture
def client_package(schema: dict, tmp_path: Path) -> Iterator[ModuleType]:
    """The generated client, imported from a temporary folder (removed from sys.modules after)."""
    (tmp_path / "schema.json").write_text(json.dumps(schema))
    (tmp_path / "config.yaml").write_text("post_hooks: []\n")  # no formatter run: nothing to fetch
    result = subprocess.run(  # noqa: S603 - our own venv's generator on a file we wrote
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(tmp_path / "schema.json"),
            "--output-path",
            str(tmp_path / PACKAGE),
            "--meta",
            "none",
            "--config",
            str(tmp_path / "config.yaml"),
            "--fail-on-warning",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def _undeclared_keys(value: Any, path: str = "") -> list[str]:
    """Paths of keys a parsed body had that its schema does not declare."""
    found: list[str] = []
    if isinstance(value, list):
        for index, item in enumerate(value):
            found += _undeclared_keys(item, f"{path}[{index}]")
    elif attrs.has(type(value)):  # a generated model
        # The address is stored as the buyer sent it: its schema allows further keys.
        if type(value).__name__ != "OrderDetailOutputShippingAddress":
            found += [f"{path}.{key}" for key in value.additional_properties]
        for field in attrs.fields(type(value)):
            if field.name != "additional_properties":
                found += _undeclared_keys(getattr(value, field.name), f"{path}.{field.name}")
    return found


def _ok(response: Any, status: int) -> Any:
    """The parsed envelope of a generated `sync_detailed` call, after checking it."""
    assert response.status_code == status, response.content
    body = response.parsed
    assert body is not None and body.error is None, response.content
    assert _undeclared_keys(body) == [], response.content
    return body


# The seed's WhatsApp routes keep the seed's own bodies and `{error}` shape (SPEC §11), not the
# envelope; whatsapp/tests/test_api.py checks their schema.
SEED_SHAPED = {"/api/session/create", "/api/session/status", "/api/qr", "/api/messages/send"}


def test_every_operation_is_typed_enveloped_and_uniquely_named(schema):
    operation_ids = []
    components = schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            operation_ids.append(operation["operationId"])
            if path in SEED_SHAPED:
                continue
            assert not operation["operationId"][-1].isdigit(), (method, path)  # no `_2` suffixes
            for status, response in operation["responses"].items():
                ref = response["content"]["application/json"]["schema"]["$ref"]
                name = ref.rsplit("/", 1)[-1]
                assert name.endswith("Envelope"), (method, path, status)
                assert set(components[name]["required"]) == {"data", "error", "meta"}
                if status.startswith("2"):
                    data = components[name]["properties"]["data"]
                    assert "$ref" in data or "$ref" in data.get("items", {}), (method, path, status)
    assert len(operation_ids) == len(set(operation_ids))


def test_generated_client_imports_whole(client_package):
    modules = [m.name for m in pkgutil.walk_packages(client_package.__path__, PACKAGE + ".")]
    for name in modules:
        importlib.import_module(name)
    assert f"{PACKAGE}.api.buyer.buyer_orders_place" in modules


def test_register_login_search_cart_order_detail_through_generated_client(live_server, areas, client_package):
    with contextlib.ExitStack() as clients:  # closed at the end: no kept-alive server threads
        _shop_through_client(live_server.url, client_package, clients)


def _shop_through_client(base_url: str, c: ModuleType, clients: contextlib.ExitStack) -> None:
    from tokoblitar_api_client.api.auth import auth_login, auth_register
    from tokoblitar_api_client.api.buyer import (
        buyer_cart_retrieve,
        buyer_cart_set_quantity,
        buyer_order_retrieve,
        buyer_orders_list,
        buyer_orders_place,
        buyer_products_list,
    )
    from tokoblitar_api_client.api.seller import seller_products_create
    from tokoblitar_api_client.models import (
        BuyerOrdersCreateInput,
        CartSetInput,
        LoginInput,
        OrderLineInput,
        OrderStatusEnum,
        ProductInput,
        ProductStatusEnum,
        RegisterInput,
        RoleEnum,
        ShippingAddressInput,
    )

    anonymous = clients.enter_context(c.Client(base_url=base_url, raise_on_unexpected_status=True))

    def signed_in(email: str, role: RoleEnum) -> Any:
        registered = _ok(
            auth_register.sync_detailed(
                client=anonymous,
                body=RegisterInput(email=email, password=PASSWORD, full_name="Siti Aminah", role=role),
            ),
            201,
        )
        login = _ok(auth_login.sync_detailed(client=anonymous, body=LoginInput(email=email, password=PASSWORD)), 200)
        assert login.data.user_id == registered.data.user_id and login.data.role == role.value
        return clients.enter_context(
            c.AuthenticatedClient(base_url=base_url, token=login.data.token, raise_on_unexpected_status=True)
        )

    seller = signed_in("penjual@contoh.id", RoleEnum.SELLER)
    product = _ok(
        seller_products_create.sync_detailed(
            client=seller,
            body=ProductInput(
                name="Kopi Bubuk Blitar Robusta",
                price=25_000,
                stock=10,
                weight_gram=250,
                status=ProductStatusEnum.ACTIVE,
            ),
        ),
        201,
    ).data

    buyer = signed_in("pembeli@contoh.id", RoleEnum.BUYER)

    found = _ok(buyer_products_list.sync_detailed(client=anonymous, search="robusta"), 200)
    assert [hit.id for hit in found.data] == [product.id]
    assert (found.meta.page, found.meta.total) == (1, 1)
    assert found.data[0].store.id == product.store_id

    cart = _ok(
        buyer_cart_set_quantity.sync_detailed(client=buyer, body=CartSetInput(product_id=product.id, quantity=2)), 200
    ).data
    assert cart.total == 50_000 and cart.item_count == 1
    assert [(line.product_id, line.quantity, line.available) for line in cart.stores[0].items] == [
        (product.id, 2, True)
    ]

    placed = _ok(
        buyer_orders_place.sync_detailed(
            client=buyer,
            body=BuyerOrdersCreateInput(
                store_id=product.store_id,
                items=[OrderLineInput(product_id=product.id, quantity=2)],
                shipping_address=ShippingAddressInput(**ADDRESS),
                courier="jne",
            ),
        ),
        201,
    ).data
    assert placed.total > 50_000  # goods plus shipping
    assert placed.payment_url.endswith(f"/pay/{placed.order_id}/")

    order = _ok(buyer_order_retrieve.sync_detailed(client=buyer, order_id=placed.order_id), 200).data
    assert (order.id, order.number, order.status) == (placed.order_id, placed.number, OrderStatusEnum.PENDING_PAYMENT)
    assert [(i.product_id, i.quantity, i.subtotal) for i in order.items] == [(product.id, 2, 50_000)]
    assert order.total == placed.total and order.payment.qr_code == placed.qr_code
    assert order.payment.expires_at == placed.expires_at
    assert order.shipping_address.name == ADDRESS["name"] and order.promo_code is None
    assert order.history[0].from_ is None and order.history[0].to == OrderStatusEnum.PENDING_PAYMENT.value

    orders = _ok(buyer_orders_list.sync_detailed(client=buyer), 200)
    assert [o.id for o in orders.data] == [placed.order_id] and orders.meta.total == 1
    assert _ok(buyer_cart_retrieve.sync_detailed(client=buyer), 200).data.stores == []  # checked out

    # Errors parse as the ErrorEnvelope with their machine code.
    missing = buyer_order_retrieve.sync_detailed(client=buyer, order_id=uuid.uuid4())
    assert missing.status_code == 404
    assert missing.parsed.data is None and missing.parsed.meta.code == "order_not_found"
    wrong = auth_login.sync_detailed(client=anonymous, body=LoginInput(email="pembeli@contoh.id", password="salah"))
    assert wrong.status_code == 401 and wrong.parsed.error
