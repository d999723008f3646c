"""Issue 9 item 11: editing a promo while orders redeem it never writes back a stale used_count.

Every edit path is raced against a redemption that holds the promo row (taken, not yet
committed, as inside a checkout transaction): the service, the seller and admin APIs, the
admin panel's switch and the Django admin change form. Then real checkouts and edits race.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from conftest import PASSWORD
from orders.tests.factories import blitar_areas, make_product, make_promo, place, quick_user  # noqa: F401 - fixture
from promos.models import Promo, PromoRedemption
from promos.services import promo_redeem, promo_update
from tokoblitar.errors import ValidationFailed
from tokoblitar.testing.html_forms import form_values

pytestmark = pytest.mark.django_db(transaction=True)


def used(promo: Promo) -> int:
    return Promo.objects.values_list("used_count", flat=True).get(pk=promo.pk)


def _wait_until_blocked(timeout: float = 10.0) -> None:
    """Until some session of this test database waits on a lock (the editor behind the buyer)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cur:
        while time.monotonic() < deadline:
            cur.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cur.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the edit never waited for the promo row lock")


def race_edit_against_open_redemption(promo: Promo, edit: Callable[[], None]) -> None:
    """A buyer's checkout takes one use of `promo` and holds its transaction open; `edit` runs
    meanwhile in its own thread and connection; then the checkout commits."""
    store = promo.store or quick_user("seller").store
    buyer = quick_user()
    order = place(buyer=buyer, product=make_product(store=store, stock=10)).order
    holding, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def checkout() -> None:
        try:
            with transaction.atomic():
                promo_redeem(promo=promo, buyer=buyer, order=order)
                holding.set()
                release.wait(30)
        except BaseException as exc:  # noqa: BLE001 - a thread reports any failure to the test
            errors.append(exc)
            holding.set()
        finally:
            connection.close()

    def editor() -> None:
        try:
            edit()
        except BaseException as exc:  # noqa: BLE001 - a thread reports any failure to the test
            errors.append(exc)
        finally:
            connection.close()

    buying = threading.Thread(target=checkout)
    buying.start()
    assert holding.wait(30)
    editing = threading.Thread(target=editor)
    editing.start()
    try:
        _wait_until_blocked()
    finally:
        release.set()
        buying.join(60)
        editing.join(60)
    assert not errors, errors


@pytest.fixture
def seller_store(seller):
    return seller.store


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_service_edit_waits_for_the_open_redemption_and_keeps_it(seller_store):
    promo = make_promo(store=seller_store, code="LIMA", usage_limit=5)
    race_edit_against_open_redemption(promo, lambda: promo_update(promo=promo, value=15))
    promo.refresh_from_db()
    assert (promo.value, promo.used_count) == (15, 1)


def test_seller_api_edit_keeps_the_open_redemption(seller, seller_store):
    promo = make_promo(store=seller_store, code="LIMA", usage_limit=5)
    url = reverse("promos_api:seller-promo-detail", args=[promo.pk])

    def edit() -> None:
        res = api_for(seller).put(url, {"value": 20}, format="json")
        assert res.status_code == 200, res.content

    race_edit_against_open_redemption(promo, edit)
    promo.refresh_from_db()
    assert (promo.value, promo.used_count) == (20, 1)


def test_admin_api_edit_keeps_the_open_redemption(admin_user):
    promo = make_promo(store=None, code="PLATFORM5", usage_limit=5)
    url = reverse("promos_api:admin-promo-detail", args=[promo.pk])

    def edit() -> None:
        res = api_for(admin_user).put(url, {"min_order": 50_000}, format="json")
        assert res.status_code == 200, res.content

    race_edit_against_open_redemption(promo, edit)
    promo.refresh_from_db()
    assert (promo.min_order, promo.used_count) == (50_000, 1)


def test_admin_panel_switch_keeps_the_open_redemption(admin_user):
    promo = make_promo(store=None, code="PLATFORM5", usage_limit=5)
    url = reverse("curation:promo-action", args=[promo.pk, "deactivate"])

    def edit() -> None:
        web = Client()
        assert web.login(email=admin_user.email, password=PASSWORD)
        assert web.post(url).status_code == 302

    race_edit_against_open_redemption(promo, edit)
    promo.refresh_from_db()
    assert (promo.is_active, promo.used_count) == (False, 1)


def test_django_admin_change_form_keeps_the_open_redemption(admin_user, seller_store):
    promo = make_promo(store=seller_store, code="LIMA", usage_limit=5)
    web = Client()
    assert web.login(email=admin_user.email, password=PASSWORD)
    url = reverse("admin:promos_promo_change", args=[promo.pk])
    form = form_values(web.get(url).content.decode(), form_id="promo_form")

    def edit() -> None:
        res = web.post(url, {**form, "value": "25"})
        assert res.status_code == 302, res.content.decode()[:3000]

    race_edit_against_open_redemption(promo, edit)
    promo.refresh_from_db()
    assert (promo.value, promo.used_count) == (25, 1)


def test_edit_from_a_copy_loaded_before_orders_keeps_their_uses(seller_store):
    """The reported case: limit 5, the edit screen loaded at 0 uses, 3 orders meanwhile."""
    product = make_product(store=seller_store, stock=50)
    promo = make_promo(store=seller_store, code="LIMA", usage_limit=5)
    loaded = Promo.objects.get(pk=promo.pk)
    for _ in range(3):
        place(buyer=quick_user(), product=product, promo_code="lima")

    promo_update(promo=loaded, value=12)

    assert used(promo) == 3
    outcomes = Counter()
    for _ in range(4):
        try:
            place(buyer=quick_user(), product=product, promo_code="lima")
            outcomes["ok"] += 1
        except ValidationFailed:
            outcomes["used up"] += 1
    assert outcomes == {"ok": 2, "used up": 2}
    assert used(promo) == 5
    assert PromoRedemption.objects.filter(promo=promo, status="active").count() == 5


def test_usage_limit_check_sees_uses_committed_after_the_copy_was_loaded(seller_store):
    product = make_product(store=seller_store, stock=50)
    promo = make_promo(store=seller_store, code="LIMA", usage_limit=5)
    loaded = Promo.objects.get(pk=promo.pk)
    for _ in range(3):
        place(buyer=quick_user(), product=product, promo_code="lima")
    with pytest.raises(ValidationFailed) as err:
        promo_update(promo=loaded, usage_limit=2)
    assert "usage_limit" in err.value.fields
    assert Promo.objects.get(pk=promo.pk).usage_limit == 5


def test_checkouts_racing_edits_never_exceed_the_limit(seller_store):
    """Twelve buyers check out with a limit-5 code while four editors save copies they
    loaded before any use: exactly five orders get it, used_count matches the redemptions."""
    product = make_product(store=seller_store, stock=100)
    promo = make_promo(store=seller_store, code="KILAT5", usage_limit=5)
    stale_copies = [Promo.objects.get(pk=promo.pk) for _ in range(4)]
    buyers = [quick_user() for _ in range(12)]
    barrier = threading.Barrier(len(buyers) + len(stale_copies))
    outcomes: Counter = Counter()
    guard = threading.Lock()

    def buy(buyer) -> None:
        try:
            barrier.wait()
            place(buyer=buyer, product=product, promo_code="kilat5")
            result = "ok"
        except ValidationFailed:
            result = "used up"
        except BaseException as exc:  # noqa: BLE001 - a thread reports any failure to the test
            result = f"error: {exc!r}"
        finally:
            connection.close()
        with guard:
            outcomes[result] += 1

    def edit(copy: Promo, n: int) -> None:
        try:
            barrier.wait()
            for step in range(5):
                promo_update(promo=copy, value=10 + n * 5 + step)
            result = "edited"
        except BaseException as exc:  # noqa: BLE001 - a thread reports any failure to the test
            result = f"edit error: {exc!r}"
        finally:
            connection.close()
        with guard:
            outcomes[result] += 1

    threads = [threading.Thread(target=buy, args=(b,)) for b in buyers]
    threads += [threading.Thread(target=edit, args=(c, n)) for n, c in enumerate(stale_copies)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert outcomes == {"ok": 5, "used up": 7, "edited": 4}
    assert used(promo) == 5
    assert PromoRedemption.objects.filter(promo=promo, status="active").count() == 5
