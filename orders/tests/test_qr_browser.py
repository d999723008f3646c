"""The payment QR as a buyer's phone sees it: rendered whole and decodable by a real decoder.

`zbarimg` (Debian's zbar-tools) reads the screenshot of the QR box; the test fails if the
code is clipped, too small or lacks its quiet zone.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import expect

from conftest import PASSWORD, make_user
from orders.models import Order
from orders.tests.factories import make_product, place
from tokoblitar.testing.browser import SCREENSHOT_DIR, login_in_browser, missing_browser_tool

ZBARIMG = shutil.which("zbarimg")


@pytest.fixture
def needs_zbar() -> None:
    # CI installs zbar-tools with Chromium (.ci/run) and sets REQUIRE_BROWSER=1: never skipped there.
    if ZBARIMG is None:
        missing_browser_tool("zbarimg is not installed (apt-get install zbar-tools)")


VIEWPORTS = {"phone": {"width": 360, "height": 780}, "desktop": {"width": 1280, "height": 800}}


def decode_qr(path: Path) -> list[str]:
    """Every QR payload zbarimg finds in the image at `path` (empty list: none)."""
    result = subprocess.run(  # noqa: S603 - fixed argv, our own file
        [ZBARIMG, "--quiet", "--raw", "--nodbus", "-Sdisable", "-Sqrcode.enable", str(path)],
        capture_output=True,
        check=False,
    )
    return [line for line in result.stdout.decode().splitlines() if line]


@pytest.mark.browser
@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_payment_qr_is_whole_and_decodes_to_the_qris_string(needs_zbar, browser, asgi_server, viewport):
    buyer = make_user("buyer")
    seller = make_user("seller")
    order = place(buyer=buyer, product=make_product(store=seller.store, price=38_400)).order
    qris = order.payment.qr_string

    context = browser.new_context(viewport=VIEWPORTS[viewport], base_url=asgi_server.url, locale="id-ID")
    page = context.new_page()
    try:
        login_in_browser(page, buyer.email, PASSWORD)
        page.goto(f"/pay/{order.pk}/")
        box = page.locator("#qr")
        expect(box).to_be_visible()
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT_DIR / f"qr-payment-page-{viewport}.png"), full_page=True)
        shot = SCREENSHOT_DIR / f"qr-payment-box-{viewport}.png"
        box.screenshot(path=str(shot))

        assert decode_qr(shot) == [qris]

        # Whole: the drawn code fits its box and the page (nothing cut off on the right).
        svg = page.locator("#qr svg").bounding_box()
        holder = box.bounding_box()
        assert svg["x"] >= holder["x"] and svg["x"] + svg["width"] <= holder["x"] + holder["width"] + 0.5
        assert svg["x"] + svg["width"] <= VIEWPORTS[viewport]["width"]
        assert abs(svg["width"] - svg["height"]) < 1
        # Large enough for a camera: at least 4 CSS px per module.
        modules = int(page.locator("#qr svg").get_attribute("viewBox").split()[2])
        assert svg["width"] / modules >= 4
        # "Simpan QR" is offered with the instruction to open it from the gallery.
        expect(page.get_by_test_id("save-qr")).to_be_visible()
        expect(page.get_by_text(re.compile("galeri"))).to_be_visible()
        # The page never scrolls sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"]
    finally:
        context.close()


@pytest.mark.django_db
def test_simpan_qr_png_decodes_to_the_qris_string(needs_zbar, tmp_path, buyer, product):
    order = place(buyer=buyer, product=product).order
    client = Client()
    client.force_login(buyer)
    response = client.get(f"/pay/{order.pk}/qr.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert f'filename="QRIS-{order.number}.png"' in response["Content-Disposition"]
    png = tmp_path / "qr.png"
    png.write_bytes(response.content)
    assert decode_qr(png) == [order.payment.qr_string]

    stranger = Client()
    stranger.force_login(make_user("buyer"))
    assert stranger.get(f"/pay/{order.pk}/qr.png").status_code == 404


@pytest.mark.django_db
def test_qr_png_is_gone_once_the_order_is_no_longer_waiting(buyer, product):
    order = place(buyer=buyer, product=product).order
    Order.objects.filter(pk=order.pk).update(status=Order.Status.EXPIRED)
    client = Client()
    client.force_login(buyer)
    assert client.get(f"/pay/{order.pk}/qr.png").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "title", "shown", "hidden"),
    [
        (Order.Status.PAID, "Pembayaran berhasil", "pay-done", "pay-again"),
        (Order.Status.EXPIRED, "Pembayaran tidak selesai", "pay-again", "pay-done"),
    ],
)
def test_payment_page_after_payment_and_after_expiry(buyer, product, status, title, shown, hidden):
    order = place(buyer=buyer, product=product).order
    Order.objects.filter(pk=order.pk).update(status=status)
    client = Client()
    client.force_login(buyer)
    html = client.get(f"/pay/{order.pk}/").content.decode()
    assert re.search(rf'<span data-for="\w+">{title}</span>', html)
    assert re.search(rf'id="{shown}" data-testid="{shown}">', html)
    assert re.search(rf'id="{hidden}" data-testid="{hidden}" hidden>', html)
    assert 'id="qr-img"' not in html and '<figure class="qr"' not in html  # no QR once closed
    if status == Order.Status.EXPIRED:
        assert f'href="/p/{product.store.slug}/{product.slug}/" data-testid="reorder">Pesan lagi</a>' in html
