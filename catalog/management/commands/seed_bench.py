"""Fill a benchmark catalogue: `manage.py seed_bench --products 100000 --stores 500`.

Stores (and their owner accounts) are bulk-inserted; products go in with one COPY.
The search triggers (catalog migrations 0002/0004) fills search_vector (and the word lexicon) per row
during the COPY, so the catalogue is searchable the moment the command ends. Names
come from Indonesian word lists so searches hit realistic, overlapping vocabularies.

Idempotent: a catalogue of the requested size is left alone; `--reset` rebuilds it.
Bench rows are recognisable by store slugs starting with `bench-`; other data is kept.
"""

from __future__ import annotations

import random
import time
import uuid
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from catalog.models import Category, Product
from stores.models import Store

SLUG_PREFIX = "bench-"
EMAIL_DOMAIN = "bench.tokoblitar.id"

# (base name, category slug, price range in rupiah, weight range in grams)
PRODUCT_KINDS = [
    ("Keripik Tempe", "makanan-minuman", (8_000, 35_000), (100, 500)),
    ("Keripik Singkong", "makanan-minuman", (7_000, 30_000), (100, 500)),
    ("Keripik Pisang", "makanan-minuman", (8_000, 30_000), (100, 500)),
    ("Sambal Pecel", "oleh-oleh-blitar", (12_000, 45_000), (200, 1000)),
    ("Wingko Babat", "oleh-oleh-blitar", (15_000, 60_000), (250, 1000)),
    ("Kopi Bubuk", "makanan-minuman", (20_000, 150_000), (100, 1000)),
    ("Kopi Biji Robusta", "pertanian", (35_000, 200_000), (250, 1000)),
    ("Madu Hutan", "kesehatan", (45_000, 250_000), (250, 1000)),
    ("Gula Aren", "makanan-minuman", (15_000, 50_000), (250, 1000)),
    ("Rengginang", "makanan-minuman", (10_000, 35_000), (200, 600)),
    ("Kerupuk Rambak", "makanan-minuman", (12_000, 40_000), (100, 400)),
    ("Sirup Belimbing", "makanan-minuman", (18_000, 45_000), (500, 1200)),
    ("Jenang Grendul", "oleh-oleh-blitar", (10_000, 30_000), (200, 600)),
    ("Batik Tulis", "batik-tenun", (150_000, 1_500_000), (200, 600)),
    ("Batik Cap", "batik-tenun", (75_000, 400_000), (200, 600)),
    ("Kain Tenun", "batik-tenun", (120_000, 900_000), (300, 900)),
    ("Kemeja Batik", "fashion", (90_000, 450_000), (250, 600)),
    ("Daster Batik", "fashion", (45_000, 150_000), (200, 500)),
    ("Tas Anyaman", "kerajinan", (35_000, 250_000), (200, 900)),
    ("Gerabah Hias", "kerajinan", (25_000, 300_000), (500, 5000)),
    ("Vas Bunga Gerabah", "kerajinan", (30_000, 200_000), (500, 3000)),
    ("Ukiran Kayu", "kerajinan", (75_000, 900_000), (500, 6000)),
    ("Sandal Kulit", "fashion", (60_000, 250_000), (300, 900)),
    ("Beras Organik", "pertanian", (14_000, 95_000), (1000, 5000)),
    ("Bibit Cabai", "pertanian", (5_000, 40_000), (100, 800)),
    ("Pupuk Kompos", "pertanian", (10_000, 60_000), (1000, 10000)),
    ("Sabun Herbal", "kecantikan", (8_000, 40_000), (80, 300)),
    ("Minyak Kelapa Murni", "kesehatan", (25_000, 90_000), (250, 1000)),
    ("Jamu Kunyit Asam", "kesehatan", (8_000, 30_000), (250, 1000)),
    ("Lulur Tradisional", "kecantikan", (15_000, 65_000), (100, 500)),
    ("Sapu Ijuk", "rumah-tangga", (15_000, 45_000), (400, 1200)),
    ("Keset Sabut Kelapa", "rumah-tangga", (20_000, 60_000), (500, 1500)),
    ("Tikar Pandan", "rumah-tangga", (40_000, 180_000), (800, 3000)),
    ("Lampu Hias Bambu", "elektronik", (50_000, 250_000), (300, 1500)),
    ("Kipas Angin Bambu", "elektronik", (30_000, 120_000), (200, 900)),
    ("Mainan Kayu", "mainan-hobi", (20_000, 150_000), (200, 1500)),
    ("Wayang Kulit", "mainan-hobi", (100_000, 1_200_000), (200, 900)),
    ("Layang-layang", "mainan-hobi", (10_000, 60_000), (100, 500)),
    ("Jasa Jahit Kebaya", "jasa", (75_000, 500_000), (100, 300)),
    ("Jasa Desain Logo", "jasa", (100_000, 900_000), (1, 10)),
]
VARIANTS = [
    "Original",
    "Pedas",
    "Pedas Manis",
    "Balado",
    "Jeruk Purut",
    "Keju",
    "Bawang",
    "Asin",
    "Manis",
    "Premium",
    "Super",
    "Spesial",
    "Khas Blitar",
    "Asli Wlingi",
    "Lodoyo",
    "Kanigoro",
    "Srengat",
    "Tradisional",
    "Klasik",
    "Motif Kawung",
    "Motif Parang",
    "Motif Sekar Jagad",
    "Warna Alam",
    "Hitam",
    "Coklat",
    "Merah",
    "Hijau",
    "Mini",
    "Jumbo",
    "Ekonomis",
    "Organik",
    "Tanpa Pengawet",
    "Rendah Gula",
    "Kualitas Ekspor",
]
SIZES = ["100 gr", "250 gr", "500 gr", "1 kg", "Isi 5", "Isi 10", "Ukuran S", "Ukuran M", "Ukuran L", "Paket Hemat", ""]
ADJECTIVES = ["renyah", "gurih", "wangi", "halus", "awet", "kuat", "cantik", "segar", "alami", "lembut", "legit"]
MAKERS = [
    "Bu Sri",
    "Pak Darto",
    "Mbak Yuli",
    "Mbok Jum",
    "Cak Man",
    "Bu Ani",
    "Pak Slamet",
    "Mas Bayu",
    "Bu Tini",
    "Pak Harno",
    "Mbak Rina",
    "Bu Wati",
    "Pak Joko",
    "Mas Eko",
    "Bu Lastri",
    "Pak Yanto",
    "Mbak Dewi",
    "Bu Endang",
]
PLACES = [
    "Kanigoro",
    "Wlingi",
    "Lodoyo",
    "Srengat",
    "Kademangan",
    "Sanankulon",
    "Nglegok",
    "Garum",
    "Talun",
    "Kesamben",
    "Selorejo",
    "Doko",
    "Gandusari",
    "Wonodadi",
    "Udanawu",
    "Ponggok",
    "Binangun",
    "Sutojayan",
    "Panggungrejo",
    "Wates",
    "Bakung",
    "Wonotirto",
    "Kepanjenkidul",
    "Sukorejo",
    "Sananwetan",
]
STORE_KINDS = ["Toko", "Warung", "UD", "Kedai", "Griya", "Rumah", "Sentra", "Galeri", "Pojok", "Dapur"]


class Command(BaseCommand):
    help = "Fill (or rebuild with --reset) a large benchmark catalogue for bench/search.py."

    def add_arguments(self, parser):
        parser.add_argument("--products", type=int, default=100_000)
        parser.add_argument("--stores", type=int, default=500)
        parser.add_argument("--reset", action="store_true", help="Delete the bench catalogue first")
        parser.add_argument("--seed", type=int, default=20261123, help="Random seed (same data every run)")

    def handle(self, *args, products: int, stores: int, reset: bool, seed: int, **options):
        started = time.monotonic()
        have_stores = Store.objects.filter(slug__startswith=SLUG_PREFIX).count()
        have_products = Product.objects.filter(store__slug__startswith=SLUG_PREFIX).count()
        if not reset and have_stores == stores and have_products == products:
            self.stdout.write(f"Bench catalogue already present ({products} products, {stores} stores).")
            return
        if have_stores or have_products:
            try:
                self._delete()
            except IntegrityError as exc:
                # Other benchmarks (pages, checkout) may have placed orders on bench products.
                raise CommandError(
                    f"Cannot rebuild the bench catalogue: other rows still reference it ({exc}). "
                    "Use a fresh EMBEDDED_DB_NAME or drop that database."
                ) from exc
        rng = random.Random(seed)
        categories = dict(Category.objects.values_list("slug", "id"))
        with transaction.atomic():
            store_ids = self._create_stores(stores, rng)
            self._copy_products(products, store_ids, categories, rng)
        with connection.cursor() as cursor:
            # Fresh visibility map and statistics: the planner and index-only scans see the real
            # table. VACUUM cannot run inside a transaction (e.g. when called from a test).
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            cursor.execute(f"{command} catalog_product")
            cursor.execute(f"{command} stores_store")
        self.stdout.write(
            self.style.SUCCESS(
                f"Bench catalogue: {products} products in {stores} stores in {time.monotonic() - started:.1f} s"
            )
        )

    def _delete(self) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                """DELETE FROM catalog_productimage WHERE product_id IN (
                       SELECT p.id FROM catalog_product p JOIN stores_store s ON s.id = p.store_id
                        WHERE s.slug LIKE %s)""",
                [SLUG_PREFIX + "%"],
            )
            cursor.execute(
                "DELETE FROM catalog_product p USING stores_store s WHERE s.id = p.store_id AND s.slug LIKE %s",
                [SLUG_PREFIX + "%"],
            )
            cursor.execute("DELETE FROM stores_store WHERE slug LIKE %s", [SLUG_PREFIX + "%"])
            cursor.execute(
                "DELETE FROM knox_authtoken WHERE user_id IN (SELECT id FROM accounts_user WHERE email LIKE %s)",
                ["%@" + EMAIL_DOMAIN],
            )
            cursor.execute("DELETE FROM accounts_user WHERE email LIKE %s", ["%@" + EMAIL_DOMAIN])

    def _create_stores(self, count: int, rng: random.Random) -> list[uuid.UUID]:
        now = timezone.now()
        users = [
            User(
                email=f"seller{i}@{EMAIL_DOMAIN}",
                full_name=f"{rng.choice(MAKERS)} {PLACES[i % len(PLACES)]}",
                role=User.Role.SELLER,
                password="!",  # noqa: S106 - "!" is Django's unusable password: bench accounts cannot sign in
                date_joined=now,
            )
            for i in range(count)
        ]
        User.objects.bulk_create(users, batch_size=1000)
        stores = []
        for i, user in enumerate(users):
            name = f"{rng.choice(STORE_KINDS)} {rng.choice(MAKERS)} {rng.choice(PLACES)}"
            stores.append(
                Store(
                    owner=user,
                    name=name,
                    slug=f"{SLUG_PREFIX}{i}-{slugify(name)}"[:63],
                    address=f"Jl. Merdeka No. {i + 1}, {rng.choice(PLACES)}, Blitar",
                    # Roughly 2% suspended: search must hide them.
                    is_active=rng.random() > 0.02,
                    featured=rng.random() < 0.05,
                )
            )
        Store.objects.bulk_create(stores, batch_size=1000)
        return [store.id for store in stores if store.is_active] + [store.id for store in stores if not store.is_active]

    def _copy_products(self, count: int, store_ids: list[uuid.UUID], categories: dict, rng: random.Random) -> None:
        now = timezone.now()
        columns = (
            "id, store_id, category_id, name, slug, description, price, stock, weight_gram, status, featured, "
            "created_at, updated_at"
        )
        raw = connection.connection  # the psycopg 3 connection under Django's wrapper
        with raw.cursor() as cursor, cursor.copy(f"COPY catalog_product ({columns}) FROM STDIN") as copy:
            for i in range(count):
                base, category_slug, (low, high), (wmin, wmax) = rng.choice(PRODUCT_KINDS)
                variant = rng.choice(VARIANTS)
                size = rng.choice(SIZES)
                maker = rng.choice(MAKERS)
                name = " ".join(part for part in (base, variant, size) if part)
                if rng.random() < 0.3:
                    name = f"{name} {maker}"
                description = (
                    f"{base} {variant.lower()} buatan {maker}, {rng.choice(ADJECTIVES)} dan {rng.choice(ADJECTIVES)}. "
                    f"Dibuat di {rng.choice(PLACES)}, Blitar. Cocok untuk oleh-oleh dan hadiah keluarga."
                )
                price = rng.randint(low // 500, high // 500) * 500
                created = now - timedelta(seconds=rng.randint(0, 365 * 24 * 3600))
                copy.write_row(
                    (
                        uuid.uuid4(),
                        store_ids[i % len(store_ids)],
                        categories.get(category_slug),
                        name,
                        f"{slugify(name)[:200]}-{i}",
                        description,
                        price,
                        rng.randint(0, 500),
                        rng.randint(wmin, wmax),
                        Product.Status.ACTIVE,
                        rng.random() < 0.02,
                        created,
                        created,
                    )
                )
