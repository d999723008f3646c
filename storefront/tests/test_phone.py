"""A first-time buyer on a cheap 360×780 phone: what she sees without scrolling, and the bytes.

Browser tests (Chromium) for the visual faults, plain page tests for the markup rules
(numbers never localised into markup, compressed responses, landmarks, banners, subdomains).
"""

from __future__ import annotations

import gzip
import io
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from catalog.services import product_image_add
from conftest import make_user
from curation.models import Banner
from storefront.tests.factories import add_product
from tokoblitar.testing.browser import SCREENSHOT_DIR

PHONE = {"width": 360, "height": 780}
AXE_WCAG21AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def picture(name: str, size: tuple[int, int], colour: tuple[int, int, int]) -> SimpleUploadedFile:
    """A photo with a black frame on its edges: cropping any side would cut the frame off."""
    image = Image.new("RGB", size, colour)
    ImageDraw.Draw(image).rectangle([0, 0, size[0] - 1, size[1] - 1], outline=(0, 0, 0), width=6)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def axe_violations(page) -> list[str]:
    results = Axe().run(page, options=AXE_WCAG21AA)
    return [f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in results.response["violations"]]


@pytest.fixture
def phone(browser, asgi_server):
    context = browser.new_context(viewport=PHONE, base_url=asgi_server.url, locale="id-ID")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.browser
def test_product_page_on_a_phone_shows_name_price_stock_above_the_fold(phone, shoot):
    seller = make_user("seller", full_name="Bu Sri")
    product = add_product(
        seller.store, name="Keripik Tempe Sagu Renyah Khas Blitar Bu Sri Isi 250 Gram", with_photo=False, price=18_000
    )
    # A wide, a tall and a square photo: each must be shown whole inside the square.
    product_image_add(product=product, upload=picture("lebar.png", (900, 300), (200, 80, 20)))
    product_image_add(product=product, upload=picture("tinggi.png", (300, 900), (20, 120, 200)))
    product_image_add(product=product, upload=picture("kotak.png", (500, 500), (30, 160, 60)))

    phone.goto(f"/p/{seller.store.slug}/{product.slug}/")
    expect(phone.get_by_test_id("product-name")).to_be_visible()
    shoot(phone, "1-full")
    phone.screenshot(path=str(SCREENSHOT_DIR / "product-phone-360x780-first-screen.png"))  # what she sees first

    bar = phone.get_by_test_id("action-bar").bounding_box()
    assert bar["y"] + bar["height"] <= PHONE["height"] + 1  # the bar is on screen, at the bottom
    for testid in ("product-name", "product-price", "product-stock"):
        box = phone.get_by_test_id(testid).bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= bar["y"], f"{testid} is below the fold or under the bar"

    gallery = phone.get_by_test_id("gallery")
    g = gallery.bounding_box()
    assert abs(g["width"] - g["height"]) <= 2, "the photo area is square"
    assert g["x"] >= 0 and g["x"] + g["width"] <= PHONE["width"]
    first = gallery.locator("img").first
    assert first.evaluate("img => getComputedStyle(img).objectFit") == "contain"
    # Swipe to the second photo: scroll-snap lands on it exactly.
    assert gallery.evaluate("g => getComputedStyle(g).scrollSnapType").startswith("x")
    gallery.evaluate("g => g.scrollBy({left: g.clientWidth * 0.7})")
    phone.wait_for_timeout(600)
    assert gallery.evaluate("g => Math.round(g.scrollLeft / g.clientWidth)") == 1
    assert gallery.evaluate("g => g.scrollLeft % g.clientWidth") < 2
    expect(phone.locator("#gallery-at")).to_have_text("2")
    # A viewport shot: a full-page one resizes the window, which re-snaps the gallery to photo 1.
    phone.screenshot(path=str(SCREENSHOT_DIR / "product-phone-360x780-second-photo.png"))
    # The page itself never scrolls sideways.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # The buy form sits in a landmark; the gallery is a named region.
    assert phone.locator("section[aria-label] form").count() == 1
    assert gallery.get_attribute("role") == "region"
    assert axe_violations(phone) == []


@pytest.mark.browser
def test_home_and_search_on_a_phone_pass_axe_and_have_one_h1(phone, shoot):
    seller = make_user("seller", full_name="Bu Sri")
    add_product(seller.store, name="Keripik Tempe Bu Sri", price=15_000)
    Banner.objects.create(title="Festival Kopi Blitar", subtitle="Diskon 20%", image_url="")
    for path in ("/", "/cari/?q=tidakadaproduknya"):
        phone.goto(path)
        assert phone.locator("h1").count() == 1, path
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
        assert axe_violations(phone) == [], path
        shoot(phone, "home" if path == "/" else "search-no-filters")
    expect(phone.get_by_test_id("clear-filters")).to_have_count(0)


# --- Markup rules (no browser) ------------------------------------------------------------


@pytest.mark.django_db
def test_banner_with_image_does_not_print_its_title_over_it_and_home_has_h1(client: Client):
    Banner.objects.create(title="Festival Kopi Blitar", subtitle="Diskon 20%", image_url="https://cdn.contoh.id/b.jpg")
    Banner.objects.create(title="Oleh-oleh Khas", image_url="")
    html = client.get("/").content.decode()
    assert 'alt="Festival Kopi Blitar: Diskon 20%"' in html
    assert "<strong>Festival Kopi Blitar</strong>" not in html
    assert "<strong>Oleh-oleh Khas</strong>" in html  # no image: the words are the banner
    assert len(re.findall(r"<h1[ >]", html)) == 1


@pytest.mark.django_db
def test_product_page_landmarks_and_no_htmx(client: Client):
    seller = make_user("seller")
    product = add_product(seller.store, name="Sambal Pecel")
    html = client.get(f"/p/{seller.store.slug}/{product.slug}/").content.decode()
    form_at = html.index('data-testid="add-to-cart"')
    assert html.rfind('<section class="action-bar" aria-label=', 0, form_at) != -1
    assert re.search(r'class="gallery"[^>]* role="region"[^>]* aria-label="Foto produk"', html)
    assert "htmx.min.js" not in html  # the product page does not use htmx
    assert '<link rel="stylesheet"' not in html and "<style" in html  # nothing blocks first paint


@pytest.mark.django_db
def test_pages_are_compressed(client: Client):
    seller = make_user("seller")
    add_product(seller.store, name="Sambal Pecel")
    response = client.get("/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert "Sambal Pecel" in gzip.decompress(response.content).decode()


@pytest.mark.django_db
def test_money_never_breaks_and_numbers_in_markup_are_not_localised(admin_client_web):
    from curation.tests.factories import curation_user, quick_order, quick_product, quick_store
    from orders.models import Order

    store = quick_store()
    product = quick_product(store=store, price=14_200)
    quick_order(buyer=curation_user(), store=store, lines=[(product, 2)], status=Order.Status.PAID)  # Rp 38.400
    html = admin_client_web.get("/admin-panel/", {"days": 7}).content.decode()
    bars = re.findall(r'<rect x="([^"]*)" y="([^"]*)" width="([^"]*)" height="([^"]*)"', html)
    assert len(bars) == 7
    for values in bars:
        for value in values:
            float(value)  # "102,857" (Indonesian decimal comma) would not parse: an empty chart
    assert "Rp\xa038.400" in html


@pytest.fixture
def admin_client_web(db) -> Client:
    from conftest import make_admin

    client = Client()
    client.force_login(make_admin())
    return client


@pytest.mark.django_db
def test_django_admin_shows_money_as_rupiah(admin_client_web):
    from curation.tests.factories import curation_user, quick_order, quick_product, quick_store
    from orders.models import Order

    store = quick_store()
    product = quick_product(store=store, price=28_400)
    order = quick_order(buyer=curation_user(), store=store, lines=[(product, 1)], status=Order.Status.PAID)
    listing = admin_client_web.get("/django-admin/orders/order/").content.decode()
    assert f"Rp\xa0{order.total:,}".replace(",", ".") in listing
    change = admin_client_web.get(f"/django-admin/orders/order/{order.pk}/change/").content.decode()
    assert "Rp\xa038.400" in change


@pytest.mark.django_db
def test_unknown_store_subdomain_is_our_404_page_even_with_debug(settings):
    settings.DEBUG = True
    client = Client(raise_request_exception=False)
    response = client.get("/", HTTP_HOST="tokotidakada.tokoblitar.com")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Halaman yang Anda cari tidak ada" in html and "Django" not in html
    # Its "back home" and logo lead to the marketplace, not to this same missing store.
    assert f'href="{settings.SITE_URL.rstrip("/")}/"' in html


@pytest.mark.django_db
def test_logo_on_a_store_subdomain_leads_to_the_marketplace(settings):
    seller = make_user("seller")
    add_product(seller.store, name="Sambal Pecel")
    html = Client().get("/", HTTP_HOST=f"{seller.store.slug}.tokoblitar.com").content.decode()
    assert f'<a class="brand" href="{settings.SITE_URL.rstrip("/")}/"' in html
    assert '<a class="brand" href="/"' in Client().get("/").content.decode()


@pytest.mark.django_db
def test_category_page_is_titled_with_the_category_and_filters_offered_only_when_set(client: Client):
    from django.utils.html import escape

    from catalog.models import Category

    category = Category.objects.order_by("pk").first() or Category.objects.create(name="Kopi", slug="kopi")
    html = client.get("/cari/", {"category": category.slug}).content.decode()
    name = escape(category.name)  # "Batik & Tenun" is rendered as "Batik &amp; Tenun"
    assert f"<title>{name} · TokoBLITAR</title>" in html
    assert re.search(rf'<h1 data-testid="search-title">{re.escape(name)}</h1>', html)
    assert 'data-testid="clear-filters"' in html  # nothing matched, and a filter is set
    plain = client.get("/cari/", {"q": "tidakadaproduknya"}).content.decode()
    assert "Hapus filter" not in plain
