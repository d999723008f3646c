"""A demo that looks real (issue 11 item 16): product photos that look like products, order
numbers dated on the day the order was placed, and the demo seller's revenue on her overview."""

from __future__ import annotations

import colorsys
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from catalog.models import ProductImage
from checkout.management.commands.seed_demo_orders import DEMO_BUYER, DEMO_SELLER
from dashboard.selectors import seller_overview, seller_setup_checklist
from orders.models import Order
from stores.models import Store

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    settings.SEED_DEMO = True
    settings.PAYMENT_PROVIDER = "simulator"
    settings.SHIPPING_PROVIDER = "simulator"
    call_command("seed_demo", stdout=StringIO())


def colour_families(picture: Image.Image) -> int:
    """How many distinct colour families cover at least 3% of the picture: each 30° hue band
    counts as one, greys/whites/blacks together as one."""
    small = picture.convert("RGB").resize((160, 160))
    families: dict[object, int] = {}
    for count, (r, g, b) in small.getcolors(maxcolors=160 * 160):
        hue, light, sat = colorsys.rgb_to_hls(r / 255, g / 255, b / 255)
        key = "neutral" if sat < 0.25 or light < 0.12 or light > 0.92 else int(hue * 12) % 12
        families[key] = families.get(key, 0) + count
    return sum(1 for count in families.values() if count / (160 * 160) >= 0.03)


def test_demo_photos_are_drawn_products_not_flat_initials(demo):
    images = list(ProductImage.objects.select_related("product"))
    assert len(images) >= 50
    for image in images:
        with image.image.open("rb") as fh:
            picture = Image.open(fh).convert("RGB")
            picture.load()
        # A scene (wall, wooden table, package, cream label, shadow), not a one-hue gradient
        # with initials: several colour families, none covering most of the picture.
        assert colour_families(picture) >= 3, image.product.name
        colours = picture.quantize(colors=32).convert("RGB").getcolors(maxcolors=64)
        assert max(count for count, _rgb in colours) / sum(count for count, _rgb in colours) < 0.6
    # Different products look different (package kind and palette follow the name): file bytes differ.
    assert len({image.image.size for image in images}) > 20


def test_demo_stores_have_logos(demo):
    assert all(store.logo for store in Store.objects.all())


def test_demo_order_numbers_carry_their_own_date_and_revenue_shows(demo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo_orders", stdout=StringIO())
    orders = list(Order.objects.filter(buyer__email=DEMO_BUYER))
    assert any(timezone.now() - o.created_at > timedelta(days=10) for o in orders)
    for order in orders:
        assert order.number.split("-")[1] == timezone.localtime(order.created_at).strftime("%Y%m%d"), order.number
        # The timeline starts on that day and never runs ahead of now.
        times = [change.at for change in order.history.all()]
        assert all(order.created_at <= at <= timezone.now() for at in times), order.number
        if hasattr(order, "payment") and order.payment.paid_at:
            assert order.payment.paid_at >= order.created_at

    store = Store.objects.get(owner__email=DEMO_SELLER)
    week_ago = timezone.now() - timedelta(days=7)
    expected = sum(
        o.total for o in orders if o.store_id == store.pk and o.status in Order.PAID_STATES and o.created_at >= week_ago
    )
    assert expected > 0
    assert seller_overview(store=store).revenue_week == expected
    steps = {step.key: step.done for step in seller_setup_checklist(store=store).steps}
    assert steps["profile"] and steps["product"] and steps["share"]
