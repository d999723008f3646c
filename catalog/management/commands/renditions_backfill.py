"""Draw the missing web-sized renditions of stored pictures (product photos, store logos and
banners stored before renditions existed, or whose task was lost). Idempotent: only pictures
not marked ready are queued. `--now` draws them in this process instead of the task worker."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from catalog.models import ProductImage
from stores.models import Store
from tokoblitar.renditions import renditions_make_now


class Command(BaseCommand):
    help = "Queue (or with --now, draw) the renditions of every picture that has none yet."

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="draw here instead of queueing for the worker")

    def handle(self, *args, now: bool = False, **options):
        pictures = []
        seen: set[str] = set()
        for image in ProductImage.objects.filter(renditions_ready=False, width__isnull=False).exclude(image=""):
            if image.image.name not in seen:
                seen.add(image.image.name)
                pictures.append(image.image)
        for kind in ("logo", "banner"):
            stores = Store.objects.filter(**{f"{kind}_renditions_ready": False, f"{kind}_width__isnull": False})
            pictures += [getattr(store, kind) for store in stores.exclude(**{kind: ""})]
        for field_file in pictures:
            if now:
                renditions_make_now(field_file)
            else:
                field_file.update_all()  # enqueues renditions_make (outside a transaction: at once)
        verb = "drawn" if now else "queued"
        self.stdout.write(f"{len(pictures)} picture(s) {verb}")
