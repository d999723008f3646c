"""User URLs (issue 9 item 6): one strict rule for every URL a user gives us, and no CSS
built from one. Browsers drop tabs/newlines inside URLs and quotes or parentheses end a CSS
url(...): all refused anywhere in the URL."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from conftest import PASSWORD
from curation.models import Banner
from stores.models import Store
from tokoblitar.validators import is_site_link, is_web_url, validate_web_url

BAD_WEB_URLS = [
    "https://cdn.contoh.id/b.jpg');position:fixed;top:0;left:0;width:100%;height:100%;('",
    'https://cdn.contoh.id/b.jpg"onerror="x',
    "https://cdn.contoh.id/a b.jpg",
    "https://cdn.contoh.id/b\t.jpg",
    "https://cdn.contoh.id/\nb.jpg",
    "https://cdn.contoh.id/\\b.jpg",
    "https://cdn.contoh.id/\u200bb.jpg",
    "https://cdn.contoh.id/\u202eb.jpg",
    "https://cdn.contoh.id/<b>.jpg",
    "javascript:alert(1)",
    "data:image/png;base64,AAAA",
    "ftp://cdn.contoh.id/b.jpg",
    "https://",
    "//cdn.contoh.id/b.jpg",
]
BAD_LINKS = ["/\t/evil.example", "/\n/evil.example", "/\\evil.example", "//evil.example", "/ca ri", "/cari'x"]


@pytest.mark.parametrize("url", BAD_WEB_URLS)
def test_bad_web_urls_are_refused(url):
    assert not is_web_url(url)
    assert not is_site_link(url)
    with pytest.raises(ValidationError):
        validate_web_url(url)


@pytest.mark.parametrize("link", [*BAD_LINKS, " /cari", "/cari\n"])
def test_bad_site_links_are_refused(link):
    # Inputs trim outer whitespace first (DRF, Django forms); the validator refuses it anyway.
    assert not is_site_link(link)


@pytest.mark.parametrize("url", ["https://cdn.contoh.id/banner.jpg?v=2&w=800", "http://tökö.id/a", "/cari/?q=kopi"])
def test_good_urls_pass(url):
    assert is_site_link(url)


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["banner_url", "logo_url", "google_maps_url"])
@pytest.mark.parametrize("url", BAD_WEB_URLS[:7])
def test_store_api_refuses_bad_urls(seller, seller_client, field, url):
    response = seller_client.put("/api/seller/store", {field: url}, format="json")
    assert response.status_code == 400
    assert field in response.json()["meta"]["fields"]
    seller.store.refresh_from_db()
    assert getattr(seller.store, field) == ""


@pytest.mark.django_db
def test_store_settings_page_refuses_css_breakout(client, seller):
    client.login(email=seller.email, password=PASSWORD)
    response = client.post(
        "/dashboard/toko/", {"name": seller.store.name, "banner_url": BAD_WEB_URLS[0], "logo_url": BAD_WEB_URLS[3]}
    )
    assert response.status_code == 400  # the form again, with errors
    seller.store.refresh_from_db()
    assert seller.store.banner_url == "" and seller.store.logo_url == ""


@pytest.mark.django_db
def test_store_model_clean_refuses_bad_urls(seller):
    store = Store.objects.get(pk=seller.store.pk)
    store.banner_url = BAD_WEB_URLS[0]
    with pytest.raises(ValidationError) as caught:
        store.full_clean(exclude=["owner", "slug"], validate_unique=False, validate_constraints=False)
    assert "banner_url" in caught.value.message_dict


@pytest.mark.django_db
def test_store_page_never_puts_banner_url_in_css(client, seller):
    # A value stored before this rule (or by hand) still cannot leave an <img src>.
    Store.objects.filter(pk=seller.store.pk).update(banner_url=BAD_WEB_URLS[0])
    html = client.get(f"/store/{seller.store.slug}/").content.decode()
    assert "background-image" not in html
    assert "position:fixed" not in html.split("<img", 1)[0]
    assert 'data-testid="store-banner-img"' in html
    assert "&#x27;);position:fixed" in html  # escaped, inside the src attribute


@pytest.mark.django_db
@pytest.mark.parametrize("link", BAD_LINKS)
def test_admin_banner_api_refuses_bad_links(admin_client_api, link):
    response = admin_client_api.post(
        "/api/admin/banners",
        {"title": "Promo", "image_url": "https://cdn.contoh.id/b.jpg", "link": link},
        format="json",
    )
    assert response.status_code == 400
    assert "link" in response.json()["meta"]["fields"]
    assert not Banner.objects.exists()


@pytest.mark.django_db
def test_admin_banner_api_refuses_bad_image_url(admin_client_api):
    response = admin_client_api.post(
        "/api/admin/banners", {"title": "Promo", "image_url": BAD_WEB_URLS[0]}, format="json"
    )
    assert response.status_code == 400
    assert "image_url" in response.json()["meta"]["fields"]


@pytest.mark.django_db
def test_admin_banner_page_refuses_tab_link(client, admin_user):
    client.force_login(admin_user)
    client.post(
        "/admin-panel/banners/",
        {"title": "Promo", "image_url": "https://cdn.contoh.id/b.jpg", "link": "/\t/evil.example", "position": 0},
    )
    assert not Banner.objects.exists()


@pytest.mark.django_db
def test_banner_model_clean_refuses_tab_link():
    banner = Banner(title="Promo", image_url="https://cdn.contoh.id/b.jpg", link="/\t/evil.example")
    with pytest.raises(ValidationError) as caught:
        banner.full_clean()
    assert "link" in caught.value.message_dict
