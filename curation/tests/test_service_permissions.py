"""The admin panel's entry services refuse anyone but a platform admin, whatever reached them
(an API route checks the role first, but the AI assistant, a management command or a future page
calls the services directly): a seller or buyer gets PermissionDenied and nothing changes."""

from __future__ import annotations

import pytest

from catalog.models import Product
from curation import services as curation
from curation.models import Banner
from curation.tests.factories import curation_user
from promos import services as promos
from promos.models import Promo
from stores.models import Store, StoreFeatureFlags
from tokoblitar.errors import PermissionDenied


@pytest.fixture
def shop(db):
    seller = curation_user("seller")
    store = Store.objects.create(owner=seller, name="Toko Uji", slug="toko-uji")
    product = Product.objects.create(
        store=store, name="Keripik", slug="keripik", price=15_000, stock=5, weight_gram=200, status="active"
    )
    return seller, store, product


@pytest.mark.parametrize("role", ["seller", "buyer"])
def test_curation_services_refuse_non_admins_and_change_nothing(shop, role):
    seller, store, product = shop
    actor = seller if role == "seller" else curation_user("buyer")
    banner = Banner.objects.create(title="Promo Blitar", link="/")
    calls = [
        lambda: curation.store_set_featured(store=store, featured=True, actor=actor),
        lambda: curation.store_suspend(store=store, reason="x", actor=actor),
        lambda: curation.store_restore(store=store, actor=actor),
        lambda: curation.product_set_featured(product=product, featured=True, actor=actor),
        lambda: curation.product_delete_by_admin(product=product, actor=actor),
        lambda: curation.banner_create(actor=actor, title="Baru", link="/"),
        lambda: curation.banner_update(banner=banner, actor=actor, title="Diubah"),
        lambda: curation.banner_delete(banner=banner, actor=actor),
        lambda: curation.store_flags_update(store=store, changes={"instagram": True}, actor=actor),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied) as caught:
            call()
        assert caught.value.code == "admin_only"
    store.refresh_from_db()
    product.refresh_from_db()
    assert not store.featured and store.is_active
    assert not product.featured and product.deleted_at is None
    assert list(Banner.objects.values_list("title", flat=True)) == ["Promo Blitar"]
    assert not StoreFeatureFlags.objects.filter(store=store, instagram=True).exists()


def test_platform_promo_services_refuse_a_seller(shop):
    seller, _store, _product = shop
    with pytest.raises(PermissionDenied):
        promos.platform_promo_create(actor=seller, code="GRATIS", type="percentage", value=50)
    assert not Promo.objects.exists()


def test_an_admin_still_can(shop):
    _seller, store, product = shop
    admin = curation_user("admin", is_staff=True, is_superuser=True)
    curation.store_set_featured(store=store, featured=True, actor=admin)
    curation.product_set_featured(product=product, featured=True, actor=admin)
    store.refresh_from_db()
    product.refresh_from_db()
    assert store.featured and product.featured
