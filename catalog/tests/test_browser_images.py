"""Responsive images in a real phone browser (issue 12 item 2): Chromium at 360x780, DPR 2.
The product page and the search page pick WebP renditions sized for their slot from srcset,
the page's first (largest) picture is not lazy and is fetched with high priority, and nothing
shifts while pictures load. Screenshots: artifacts/screenshots/test_*_images-*.png."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.demo_photos import product_photo
from catalog.models import ProductImage
from catalog.services import product_image_add
from catalog.tests.factories import catalog_product
from conftest import make_user
from tokoblitar.renditions import renditions_make_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAMES = ["Keripik Tempe Original", "Sambal Pecel Blitar", "Madu Hutan Asli", "Kopi Bubuk Robusta", "Batik Tulis"]

# Layout shifts (the CLS entries) recorded from the first paint, pictures included.
CLS_OBSERVER = """
window.__cls = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) { if (!e.hadRecentInput) window.__cls += e.value; }
}).observe({type: 'layout-shift', buffered: true});
"""


@pytest.fixture
def catalogue(asgi_server, settings):
    seller = make_user("seller")
    products = []
    for n, name in enumerate(NAMES):
        product = catalog_product(seller.store, name=name)
        for k in range(2 if n == 0 else 1):
            photo = product_photo(f"{name} {k}", size=1200)
            product_image_add(product=product, upload=SimpleUploadedFile(f"{n}-{k}.jpg", photo, "image/jpeg"))
        products.append(product)
    for image in ProductImage.objects.all():
        renditions_make_now(image.image)  # what the task worker does after the upload
    assert not ProductImage.objects.filter(renditions_ready=False).exists()
    return seller.store, products


@pytest.fixture
def phone(browser, asgi_server):
    context = browser.new_context(
        viewport={"width": 360, "height": 780},
        device_scale_factor=2,
        is_mobile=True,
        base_url=asgi_server.url,
        locale="id-ID",
    )
    context.set_default_timeout(15_000)
    context.add_init_script(CLS_OBSERVER)
    page = context.new_page()
    yield page
    context.close()


def _picture_facts(page, selector: str) -> dict:
    return page.eval_on_selector(
        selector,
        """img => ({src: img.currentSrc, lazy: img.loading, priority: img.getAttribute('fetchpriority'),
                   width: img.getAttribute('width'), height: img.getAttribute('height'),
                   shown: img.getBoundingClientRect().width, natural: img.naturalWidth,
                   complete: img.complete})""",
    )


def test_product_page_images(phone, catalogue, shoot):
    store, products = catalogue
    phone.goto(f"/p/{store.slug}/{products[0].slug}/", wait_until="networkidle")
    first = _picture_facts(phone, "#gallery .slide img")
    assert first["priority"] == "high" and first["lazy"] == "auto"
    assert (first["width"], first["height"]) == ("1200", "1200")
    # Full width of a 360 px screen at 2x: the 960 px WebP (never the 1200 px original JPEG).
    assert first["src"].endswith("/960w.webp") and first["complete"]
    second = phone.eval_on_selector_all("#gallery .slide img", "imgs => imgs[1].loading")
    assert second == "lazy"
    phone.mouse.wheel(0, 2000)
    phone.wait_for_timeout(500)
    assert phone.evaluate("window.__cls") < 0.01
    shot = shoot(phone, "product")
    assert shot.stat().st_size > 20_000


def test_search_page_images(phone, catalogue, shoot):
    phone.goto("/cari/", wait_until="networkidle")
    cards = phone.locator('[data-testid="product-card"] img')
    assert cards.count() == len(NAMES)
    first = _picture_facts(phone, '[data-testid="product-card"] img')
    assert first["priority"] == "high" and first["lazy"] == "auto"
    # A half-screen card (~160 CSS px, 320 device px) takes the 320 px WebP.
    assert first["src"].endswith("/320w.webp")
    rest = phone.eval_on_selector_all('[data-testid="product-card"] img', "imgs => imgs.slice(1).map(i => i.loading)")
    assert set(rest) == {"lazy"}
    phone.mouse.wheel(0, 3000)
    phone.wait_for_timeout(500)
    assert phone.evaluate("window.__cls") < 0.01
    shoot(phone, "search")
