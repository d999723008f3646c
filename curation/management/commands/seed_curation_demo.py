"""Demo homepage banners (safe to run on every start: each is created once, by title)."""

from __future__ import annotations

import io

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from PIL import Image, ImageDraw, ImageFont

from curation.models import Banner
from tokoblitar.demo import demo_add_force_argument, demo_data_guard

DEMO_BANNERS = [
    # (title, subtitle, link, position, (top colour, bottom colour))
    (
        "Festival Kopi Blitar",
        "Robusta dan excelsa dari lereng Kelud, langsung dari petani",
        "/cari/?q=kopi",
        0,
        ((15, 118, 110), (6, 78, 59)),
    ),
    (
        "Oleh-oleh Khas Blitar",
        "Wajik kletik, sambel pecel, dan keripik untuk dibawa pulang",
        "/cari/?q=keripik",
        1,
        ((180, 83, 9), (120, 53, 15)),
    ),
]


def banner_image(title: str, colours: tuple[tuple[int, int, int], tuple[int, int, int]]) -> bytes:
    """A 1200x400 gradient with the title: demo art made locally, no download."""
    width, height = 1200, 400
    mask = Image.linear_gradient("L").rotate(90).resize((width, height))
    img = Image.composite(
        Image.new("RGB", (width, height), colours[1]), Image.new("RGB", (width, height), colours[0]), mask
    )
    draw = ImageDraw.Draw(img)
    draw.text((60, height / 2), title, font=ImageFont.load_default(size=64), fill=(255, 255, 255), anchor="lm")
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=80, optimize=True)
    return out.getvalue()


class Command(BaseCommand):
    help = "Create the demo homepage banners once."

    def add_arguments(self, parser):
        demo_add_force_argument(parser)

    def handle(self, *args, **options):
        demo_data_guard(force=options["force"])
        made = 0
        with transaction.atomic():
            for title, subtitle, link, position, colours in DEMO_BANNERS:
                if Banner.objects.filter(title=title).exists():
                    continue
                banner = Banner(title=title, subtitle=subtitle, link=link, position=position)
                slug = title.lower().replace(" ", "-")
                banner.image.save(f"{slug}.jpg", ContentFile(banner_image(title, colours)), save=False)
                banner.full_clean()
                banner.save()
                made += 1
        self.stdout.write(f"Demo banners: {made} created" + (" (already present)" if not made else ""))
