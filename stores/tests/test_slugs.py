"""Links that last (issue 11 item 10): renaming a product or changing the store address keeps
every shared link working with a 301; the seller's address change follows clear rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation

from catalog.services import seller_product_update
from conftest import PASSWORD, make_user
from storefront.tests.factories import add_product
from stores.models import Store, StoreSlugHistory
from stores.services import STORE_SLUG_CHANGE_DAYS, STORE_SLUG_REDIRECT_DAYS, seller_store_update
from tokoblitar.errors import ValidationFailed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _change(seller, slug: str) -> Store:
    return seller_store_update(actor=seller, data={"slug": slug})


def _age_last_change(store: Store, days: int) -> None:
    Store.objects.filter(pk=store.pk).update(slug_changed_at=timezone.now() - timedelta(days=days))


def test_renamed_product_old_url_redirects_permanently(seller, client):
    product = add_product(seller.store, name="Keripik Tempe Original", with_photo=False)
    old_url = f"/p/{seller.store.slug}/{product.slug}/"
    assert client.get(old_url).status_code == 200

    product = seller_product_update(actor=seller, product_id=product.pk, data={"name": "Keripik Tempe Pedas"})
    assert product.slug == "keripik-tempe-pedas"
    response = client.get(old_url)
    assert response.status_code == 301
    assert response["Location"] == f"/p/{seller.store.slug}/keripik-tempe-pedas/"
    assert client.get(response["Location"]).status_code == 200

    # Renamed twice: the first address still leads to the current one, in one hop.
    seller_product_update(actor=seller, product_id=product.pk, data={"name": "Keripik Tempe Balado"})
    assert client.get(old_url)["Location"] == f"/p/{seller.store.slug}/keripik-tempe-balado/"
    assert client.get(f"/p/{seller.store.slug}/keripik-tempe-pedas/")["Location"].endswith("/keripik-tempe-balado/")


def test_unknown_product_slug_is_still_404(seller, client):
    add_product(seller.store, name="Keripik", with_photo=False)
    assert client.get(f"/p/{seller.store.slug}/tidak-ada/").status_code == 404
    assert client.get("/p/toko-tidak-ada/keripik/").status_code == 404


def test_store_address_change_redirects_store_and_product_pages(seller, client):
    store = seller.store
    product = add_product(store, name="Sambal Pecel", with_photo=False)
    old = store.slug
    store = _change(seller, "sambal-bu-jum")
    assert store.slug == "sambal-bu-jum" and StoreSlugHistory.objects.get(slug=old).store_id == store.pk

    response = client.get(f"/store/{old}/")
    assert response.status_code == 301 and response["Location"] == "/store/sambal-bu-jum/"
    assert client.get("/store/sambal-bu-jum/").status_code == 200
    response = client.get(f"/p/{old}/{product.slug}/")
    assert response.status_code == 301 and response["Location"] == f"/p/sambal-bu-jum/{product.slug}/"

    # Store and product both renamed since the link was shared: still one 301 to the right page.
    seller_product_update(actor=seller, product_id=product.pk, data={"name": "Sambal Pecel Pedas"})
    assert client.get(f"/p/{old}/{product.slug}/")["Location"] == "/p/sambal-bu-jum/sambal-pecel-pedas/"


def test_old_store_subdomain_redirects_to_the_new_one(seller, settings):
    settings.STORE_DOMAIN = "tokoblitar.com"
    settings.ALLOWED_HOSTS = [".tokoblitar.com", "testserver"]
    old = seller.store.slug
    _change(seller, "keripik-bu-sri")
    browser = Client()
    response = browser.get("/", HTTP_HOST=f"{old}.tokoblitar.com")
    assert response.status_code == 301
    assert response["Location"] == "http://keripik-bu-sri.tokoblitar.com/"
    # Any missing page on the old subdomain goes to the same path on the new one.
    response = browser.get("/halaman-lama/?utm=wa", HTTP_HOST=f"{old}.tokoblitar.com:8000")
    assert response.status_code == 301
    assert response["Location"] == "http://keripik-bu-sri.tokoblitar.com:8000/halaman-lama/?utm=wa"
    assert browser.get("/", HTTP_HOST="keripik-bu-sri.tokoblitar.com").status_code == 200
    assert browser.get("/", HTTP_HOST="tidak-pernah-ada.tokoblitar.com").status_code == 404


def test_suspended_store_old_address_is_not_redirected(seller, client):
    old = seller.store.slug
    store = _change(seller, "toko-baru")
    Store.objects.filter(pk=store.pk).update(is_active=False)
    assert client.get(f"/store/{old}/").status_code == 404


def test_api_is_unaffected_by_a_slug_change(seller, seller_client, client):
    product = add_product(seller.store, name="Kopi Kawi", with_photo=False)
    _change(seller, "kopi-kawi")
    data = seller_client.get("/api/seller/store").json()["data"]
    assert data["slug"] == "kopi-kawi"
    listed = client.get("/api/buyer/products", {"q": "Kopi Kawi"}).json()["data"]
    assert [row["id"] for row in listed] == [str(product.pk)]
    # The API never writes the slug (curation's field there); the dashboard does, with rules.
    res = seller_client.put("/api/seller/store", {"slug": "lain"}, format="json")
    assert res.status_code == 400


@pytest.mark.parametrize(
    ("slug", "code"),
    [
        ("Ab", "invalid_slug"),
        ("toko blitar", "invalid_slug"),
        ("-keripik", "invalid_slug"),
        ("keripik--sri", "invalid_slug"),
        ("x" * 64, "invalid_slug"),
        ("admin", "reserved_slug"),
        ("www", "reserved_slug"),
    ],
)
def test_store_address_format_and_reserved_words(seller, slug, code):
    with pytest.raises(ValidationFailed) as caught:
        _change(seller, slug)
    assert caught.value.code == code and "slug" in caught.value.fields
    assert not StoreSlugHistory.objects.exists()


def test_store_address_once_per_period_with_a_clear_error(seller):
    _change(seller, "alamat-pertama")
    with pytest.raises(ValidationFailed) as caught:
        _change(seller, "alamat-kedua")
    assert caught.value.code == "slug_change_too_soon"
    assert f"once every {STORE_SLUG_CHANGE_DAYS} days" in caught.value.message
    assert Store.objects.get(pk=seller.store.pk).slug == "alamat-pertama"
    _age_last_change(seller.store, STORE_SLUG_CHANGE_DAYS)
    assert _change(seller, "alamat-kedua").slug == "alamat-kedua"


def test_store_address_unique_and_old_ones_reserved(seller):
    other = make_user("seller")
    taken_now = other.store.slug
    with pytest.raises(ValidationFailed) as caught:
        _change(seller, taken_now)
    assert caught.value.code == "slug_taken"

    old_of_other = other.store.slug
    _change(other, "toko-lain-baru")
    with pytest.raises(ValidationFailed) as caught:
        _change(seller, old_of_other)  # still redirects to the other store
    assert caught.value.code == "slug_taken"
    # New stores never get it either.
    newcomer = make_user("seller", full_name=other.full_name)
    assert newcomer.store.slug != old_of_other

    # After the redirect lifetime the old address is free again, and its redirect goes.
    StoreSlugHistory.objects.filter(slug=old_of_other).update(
        retired_at=timezone.now() - timedelta(days=STORE_SLUG_REDIRECT_DAYS + 1)
    )
    assert _change(seller, old_of_other).slug == old_of_other
    assert not StoreSlugHistory.objects.filter(slug=old_of_other).exists()


def test_seller_takes_her_own_old_address_back(seller, client):
    first = seller.store.slug
    _change(seller, "nama-sementara")
    _age_last_change(seller.store, STORE_SLUG_CHANGE_DAYS + 1)
    store = _change(seller, first)
    assert store.slug == first
    assert list(StoreSlugHistory.objects.values_list("slug", flat=True)) == ["nama-sementara"]
    assert client.get("/store/nama-sementara/")["Location"] == f"/store/{first}/"


def test_dashboard_store_address_change_and_error_in_indonesian(seller, client):
    assert client.login(email=seller.email, password=PASSWORD)
    store = seller.store
    response = client.post("/dashboard/toko/", {"name": store.name, "slug": "keripik-bu-sri"})
    assert response.status_code == 302
    assert Store.objects.get(pk=store.pk).slug == "keripik-bu-sri"
    with translation.override("id"):
        response = client.post("/dashboard/toko/", {"name": store.name, "slug": "keripik-sri"})
    assert response.status_code == 400
    assert "berikutnya mulai" in response.content.decode()  # the service error, in Indonesian
    assert Store.objects.get(pk=store.pk).slug == "keripik-bu-sri"
