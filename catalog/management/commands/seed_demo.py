"""Demo data for `make run`: three demo logins and about ten Blitar shops with products.

Idempotent: every row is looked up by a natural key (email, store slug, product slug)
and only created when missing, so running it on every start changes nothing after
the first time. Product photos (packaging still-lifes with the product's name) and store
logos are drawn locally with Pillow (catalog/demo_photos.py, no network).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.text import slugify

from accounts.models import User
from catalog.demo_photos import product_photo, store_logo
from catalog.models import Category, Product, ProductImage
from stores.models import Store, StoreFeatureFlags
from tokoblitar.demo import demo_add_force_argument, demo_data_guard

DEMO_PASSWORD = "demo12345"  # noqa: S105 - public demo accounts, printed by `make run`

# (slug, name, owner email, owner name, address, lat, lng, instagram, featured, description, products)
# product: (name, category slug, price, stock, weight_gram, featured, description)
DEMO_SELLER_EMAIL = "penjual@tokoblitar.id"

SHOPS = [
    (
        "keripik-tempe-bu-sri",
        "Keripik Tempe Bu Sri",
        "penjual@tokoblitar.id",
        "Sri Wahyuni",
        "Jl. Kalimantan No. 12, Sananwetan, Kota Blitar",
        "-8.095210",
        "112.172430",
        "keripiktempebusri",
        True,
        "Keripik tempe tipis renyah resep keluarga sejak 1998, digoreng setiap pagi.",
        [
            (
                "Keripik Tempe Original 250 gr",
                "oleh-oleh-blitar",
                18000,
                120,
                250,
                True,
                "Tempe tipis, bumbu bawang dan ketumbar, renyah tahan lama.",
            ),
            (
                "Keripik Tempe Pedas Daun Jeruk 250 gr",
                "oleh-oleh-blitar",
                20000,
                80,
                250,
                False,
                "Pedas gurih dengan aroma daun jeruk purut.",
            ),
            (
                "Keripik Tempe Balado 500 gr",
                "oleh-oleh-blitar",
                36000,
                40,
                500,
                False,
                "Bumbu balado manis pedas, cocok untuk camilan keluarga.",
            ),
            (
                "Keripik Tempe Keju 200 gr",
                "makanan-minuman",
                22000,
                35,
                200,
                False,
                "Taburan keju asin gurih, disukai anak-anak.",
            ),
            (
                "Paket Oleh-oleh Keripik Tempe 1 kg",
                "oleh-oleh-blitar",
                68000,
                25,
                1000,
                True,
                "Empat rasa dalam satu kotak, siap jadi buah tangan.",
            ),
            (
                "Keripik Singkong Bawang 250 gr",
                "makanan-minuman",
                15000,
                60,
                250,
                False,
                "Singkong pilihan, diiris tipis dan dibumbui bawang putih.",
            ),
        ],
    ),
    (
        "batik-tulis-kanigoro",
        "Batik Tulis Kanigoro",
        "batik.kanigoro@tokoblitar.id",
        "Endang Suryani",
        "Desa Kanigoro RT 02 RW 04, Kanigoro, Kabupaten Blitar",
        "-8.133800",
        "112.216900",
        "batikkanigoro",
        True,
        "Batik tulis tangan dengan motif khas Blitar: Kendang Jimbe, Sekar Jagad, dan Bunga Kopi.",
        [
            (
                "Batik Tulis Motif Kendang Jimbe",
                "batik-tenun",
                450000,
                8,
                300,
                True,
                "Kain batik tulis 2 x 1,15 m, pewarna alami, motif kendang jimbe khas Blitar.",
            ),
            (
                "Batik Tulis Sekar Jagad Warna Alam",
                "batik-tenun",
                650000,
                5,
                300,
                False,
                "Dikerjakan tiga minggu, warna soga dan indigo.",
            ),
            (
                "Batik Cap Bunga Kopi",
                "batik-tenun",
                175000,
                20,
                300,
                False,
                "Batik cap katun primisima, motif bunga kopi Wlingi.",
            ),
            (
                "Kemeja Batik Pria Lengan Panjang",
                "fashion",
                285000,
                15,
                350,
                False,
                "Kemeja batik cap, katun adem, ukuran M sampai XXL.",
            ),
            (
                "Selendang Batik Tulis Sutra",
                "batik-tenun",
                525000,
                6,
                150,
                False,
                "Selendang sutra dengan motif parang seling.",
            ),
        ],
    ),
    (
        "kopi-kawi-wlingi",
        "Kopi Kawi Wlingi",
        "kopi.kawi@tokoblitar.id",
        "Bayu Prasetyo",
        "Jl. Raya Wlingi No. 45, Wlingi, Kabupaten Blitar",
        "-8.076300",
        "112.326900",
        "kopikawi.wlingi",
        True,
        "Kopi robusta dan arabika dari lereng Gunung Kawi, disangrai sendiri dalam jumlah kecil.",
        [
            (
                "Kopi Robusta Kawi Biji Sangrai 250 gr",
                "makanan-minuman",
                45000,
                50,
                250,
                True,
                "Sangrai medium, cokelat dan karamel, petik merah.",
            ),
            (
                "Kopi Bubuk Robusta Wlingi 200 gr",
                "makanan-minuman",
                32000,
                70,
                200,
                False,
                "Giling sedang untuk tubruk dan V60.",
            ),
            (
                "Kopi Arabika Kawi Natural 200 gr",
                "makanan-minuman",
                85000,
                20,
                200,
                False,
                "Proses natural, aroma buah nangka dan gula aren.",
            ),
            (
                "Kopi Lanang Premium 100 gr",
                "makanan-minuman",
                40000,
                25,
                100,
                False,
                "Biji tunggal (peaberry), rasa lebih tebal.",
            ),
            ("Green Bean Robusta 1 kg", "pertanian", 95000, 30, 1000, False, "Biji mentah untuk penyangrai rumahan."),
            ("Drip Bag Kopi Kawi Isi 10", "makanan-minuman", 38000, 45, 150, False, "Praktis diseduh di mana saja."),
        ],
    ),
    (
        "wingko-babat-mbak-yuli",
        "Wingko Babat Mbak Yuli",
        "wingko.yuli@tokoblitar.id",
        "Yuliana Sari",
        "Jl. Merdeka No. 88, Kepanjenkidul, Kota Blitar",
        "-8.098500",
        "112.165200",
        "wingkombakyuli",
        False,
        "Wingko kelapa muda panggang arang, legit dan harum, dibuat tanpa pengawet.",
        [
            (
                "Wingko Babat Original Isi 10",
                "oleh-oleh-blitar",
                30000,
                40,
                500,
                False,
                "Kelapa muda, ketan, dan gula pasir, dipanggang arang.",
            ),
            (
                "Wingko Babat Rasa Durian Isi 10",
                "oleh-oleh-blitar",
                38000,
                30,
                500,
                False,
                "Dengan daging durian asli.",
            ),
            (
                "Wingko Babat Cokelat Isi 10",
                "oleh-oleh-blitar",
                35000,
                30,
                500,
                False,
                "Isi cokelat lumer, favorit anak-anak.",
            ),
            (
                "Jenang Grendul Blitar 500 gr",
                "oleh-oleh-blitar",
                25000,
                25,
                500,
                False,
                "Jenang gula merah dengan bola ketan kenyal.",
            ),
            (
                "Paket Wingko Campur Isi 20",
                "oleh-oleh-blitar",
                65000,
                15,
                1000,
                False,
                "Original, durian, cokelat, dan pandan.",
            ),
        ],
    ),
    (
        "sambal-pecel-mbok-jum",
        "Sambal Pecel Mbok Jum",
        "pecel.mbokjum@tokoblitar.id",
        "Juminah",
        "Jl. Cemara No. 7, Sukorejo, Kota Blitar",
        "-8.091700",
        "112.151800",
        "pecelmbokjum",
        True,
        "Sambal pecel kacang tumbuk batu khas Blitar, pedasnya bisa dipilih.",
        [
            (
                "Sambal Pecel Khas Blitar Pedas 250 gr",
                "oleh-oleh-blitar",
                17000,
                150,
                250,
                True,
                "Kacang tanah sangrai, cabai, kencur, dan daun jeruk.",
            ),
            (
                "Sambal Pecel Sedang 500 gr",
                "oleh-oleh-blitar",
                30000,
                90,
                500,
                False,
                "Rasa seimbang untuk sayur rebus dan lontong.",
            ),
            (
                "Sambal Pecel Tidak Pedas 250 gr",
                "oleh-oleh-blitar",
                16000,
                60,
                250,
                False,
                "Manis gurih, aman untuk anak.",
            ),
            (
                "Sambal Tumpang Kering 200 gr",
                "makanan-minuman",
                22000,
                40,
                200,
                False,
                "Tempe semangit, tinggal seduh air panas.",
            ),
            ("Rempeyek Kacang 250 gr", "makanan-minuman", 18000, 50, 250, False, "Renyah, teman makan pecel."),
            (
                "Paket Pecel Lengkap",
                "oleh-oleh-blitar",
                55000,
                20,
                900,
                False,
                "Sambal pecel, rempeyek, dan kerupuk puli.",
            ),
        ],
    ),
    (
        "gerabah-dekor-kademangan",
        "Gerabah Dekor Kademangan",
        "gerabah.kademangan@tokoblitar.id",
        "Suparno",
        "Desa Dawuhan, Kademangan, Kabupaten Blitar",
        "-8.163400",
        "112.155900",
        "gerabahkademangan",
        False,
        "Gerabah tanah liat bakar untuk dekorasi rumah dan taman, dibentuk dengan tangan.",
        [
            ("Vas Bunga Gerabah Motif Ukir", "kerajinan", 85000, 12, 2500, False, "Tinggi 40 cm, finishing natural."),
            ("Pot Tanaman Gerabah Set 3", "rumah-tangga", 120000, 10, 4000, False, "Tiga ukuran, berlubang di dasar."),
            ("Celengan Gerabah Ayam Jago", "kerajinan", 35000, 30, 800, False, "Dicat tangan, warna cerah."),
            ("Kendi Air Tanah Liat", "rumah-tangga", 45000, 15, 1500, False, "Air tetap sejuk alami."),
            ("Lampu Hias Gerabah Berlubang", "kerajinan", 150000, 6, 2000, False, "Bayangan motif indah saat malam."),
        ],
    ),
    (
        "madu-hutan-lodoyo",
        "Madu Hutan Lodoyo",
        "madu.lodoyo@tokoblitar.id",
        "Slamet Riyadi",
        "Jl. Raya Lodoyo No. 21, Sutojayan, Kabupaten Blitar",
        "-8.158600",
        "112.218700",
        "maduhutanlodoyo",
        False,
        "Madu hutan liar dari kawasan hutan Lodoyo, dipanen lestari tanpa campuran.",
        [
            ("Madu Hutan Murni 500 gr", "kesehatan", 95000, 40, 600, True, "Madu liar hutan Lodoyo, kadar air rendah."),
            ("Madu Randu 250 gr", "kesehatan", 55000, 35, 300, False, "Manis lembut dari bunga randu."),
            ("Madu Kelengkeng 500 gr", "kesehatan", 85000, 20, 600, False, "Aroma buah kelengkeng yang khas."),
            ("Propolis Cair 30 ml", "kesehatan", 75000, 25, 100, False, "Ekstrak propolis lebah lokal."),
            (
                "Sarang Madu Asli 300 gr",
                "kesehatan",
                110000,
                8,
                350,
                False,
                "Madu dalam sarangnya, langsung dari hutan.",
            ),
        ],
    ),
    (
        "anyaman-bambu-nglegok",
        "Anyaman Bambu Nglegok",
        "bambu.nglegok@tokoblitar.id",
        "Harno Wibowo",
        "Desa Penataran, Nglegok, Kabupaten Blitar",
        "-8.016500",
        "112.208900",
        "anyamannglegok",
        False,
        "Kerajinan anyaman bambu dari dekat Candi Penataran.",
        [
            ("Tas Anyaman Bambu Wanita", "kerajinan", 95000, 15, 400, False, "Dilapisi kain batik di bagian dalam."),
            (
                "Tudung Saji Bambu Diameter 50 cm",
                "rumah-tangga",
                45000,
                25,
                500,
                False,
                "Anyaman rapat, awet bertahun-tahun.",
            ),
            ("Keranjang Buah Bambu", "rumah-tangga", 35000, 30, 350, False, "Cocok untuk parsel dan hantaran."),
            ("Lampu Gantung Bambu", "kerajinan", 175000, 8, 900, False, "Nuansa tropis untuk kafe dan rumah."),
            ("Kipas Bambu Lukis", "kerajinan", 15000, 100, 50, False, "Suvenir pernikahan, bisa pesan nama."),
        ],
    ),
    (
        "belimbing-karangsari",
        "Belimbing Karangsari",
        "belimbing.karangsari@tokoblitar.id",
        "Tini Rahayu",
        "Kelurahan Karangsari, Sukorejo, Kota Blitar",
        "-8.083900",
        "112.146500",
        "belimbingkarangsari",
        False,
        "Olahan belimbing dari kampung wisata belimbing Karangsari.",
        [
            ("Sirup Belimbing 600 ml", "makanan-minuman", 28000, 50, 800, False, "Segar, tanpa pewarna buatan."),
            ("Dodol Belimbing 250 gr", "oleh-oleh-blitar", 20000, 45, 250, False, "Kenyal, manis asam."),
            (
                "Keripik Belimbing 100 gr",
                "oleh-oleh-blitar",
                18000,
                30,
                100,
                False,
                "Diolah dengan vakum, tetap renyah.",
            ),
            (
                "Bibit Belimbing Karangsari",
                "pertanian",
                65000,
                20,
                1500,
                False,
                "Bibit okulasi siap tanam, tinggi 60 cm.",
            ),
            (
                "Belimbing Segar Super 1 kg",
                "pertanian",
                30000,
                40,
                1000,
                False,
                "Dipetik pagi, dikirim hari yang sama.",
            ),
        ],
    ),
    (
        "jamu-gendong-bu-lastri",
        "Jamu Gendong Bu Lastri",
        "jamu.lastri@tokoblitar.id",
        "Lastri Handayani",
        "Jl. Anjasmoro No. 3, Garum, Kabupaten Blitar",
        "-8.071900",
        "112.231700",
        "jamubulastri",
        False,
        "Jamu tradisional racikan sendiri dari rempah segar Blitar.",
        [
            ("Jamu Kunyit Asam 1 Liter", "kesehatan", 20000, 30, 1100, False, "Kunyit, asam jawa, dan gula aren."),
            ("Jamu Beras Kencur 1 Liter", "kesehatan", 20000, 30, 1100, False, "Menyegarkan dan menghangatkan badan."),
            ("Wedang Uwuh Kering Isi 10", "kesehatan", 25000, 40, 200, False, "Secang, jahe, cengkih, dan kayu manis."),
            (
                "Lulur Kunyit Tradisional 200 gr",
                "kecantikan",
                30000,
                25,
                250,
                False,
                "Bubuk lulur rempah untuk kulit halus.",
            ),
            ("Sabun Sereh Wangi Buatan Tangan", "kecantikan", 15000, 60, 100, False, "Minyak kelapa dan sereh wangi."),
        ],
    ),
]

EXTRA_USERS = [
    ("admin@tokoblitar.id", "Admin TokoBLITAR", User.Role.ADMIN),
    ("pembeli@tokoblitar.id", "Dewi Pembeli", User.Role.BUYER),
]


class Command(BaseCommand):
    help = "Create the demo logins and Blitar demo shops (safe to run on every start)."

    def add_arguments(self, parser):
        demo_add_force_argument(parser)

    def handle(self, *args, **options):
        demo_data_guard(force=options["force"])
        created = {"users": 0, "stores": 0, "products": 0, "images": 0}
        categories = {c.slug: c for c in Category.objects.all()}
        with transaction.atomic():
            for email, full_name, role in EXTRA_USERS:
                if not User.objects.filter(email__iexact=email).exists():
                    if role == User.Role.ADMIN:
                        User.objects.create_superuser(email=email, password=DEMO_PASSWORD, full_name=full_name)
                    else:
                        User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=full_name, role=role)
                    created["users"] += 1
            for shop in SHOPS:
                self._shop(shop, categories, created)
        self.stdout.write(
            "Demo data: "
            + ", ".join(f"{n} {k} created" for k, n in created.items())
            + (" (already present)" if not any(created.values()) else "")
        )

    def _shop(self, shop: tuple, categories: dict, created: dict) -> None:
        slug, name, email, owner_name, address, lat, lng, instagram, featured, description, products = shop
        owner = User.objects.filter(email__iexact=email).first()
        if owner is None:
            # Via the manager: demo passwords skip the validators on purpose.
            owner = User.objects.create_user(
                email=email, password=DEMO_PASSWORD, full_name=owner_name, role=User.Role.SELLER
            )
            created["users"] += 1
        store = Store.objects.filter(slug=slug).first() or Store.objects.filter(owner=owner).first()
        if store is None:
            store = Store.objects.create(
                owner=owner,
                slug=slug,
                name=name,
                description=description,
                address=address,
                lat=Decimal(lat),
                lng=Decimal(lng),
                google_maps_url=f"https://www.google.com/maps?q={lat},{lng}",
                instagram_handle=instagram,
                featured=featured,
            )
            created["stores"] += 1
        if email == DEMO_SELLER_EMAIL:
            # The demo seller shows the sales channels and Instagram (both default off); set once,
            # so an admin who switches them off later is not overruled by the next `make run`.
            StoreFeatureFlags.objects.get_or_create(store=store, defaults={"marketplace_sync": True, "instagram": True})
        if not store.logo and not store.logo_url:
            store.logo.save(f"demo-{store.slug}.jpg", ContentFile(store_logo(store.name)), save=False)
            store.save(update_fields=["logo", "logo_width", "logo_height"])
        existing = set(Product.objects.filter(store=store).values_list("slug", flat=True))
        for p_name, category_slug, price, stock, weight, p_featured, p_description in products:
            p_slug = slugify(p_name)
            if p_slug in existing:
                continue
            product = Product.objects.create(
                store=store,
                category=categories.get(category_slug),
                name=p_name,
                slug=p_slug,
                description=p_description,
                price=price,
                stock=stock,
                weight_gram=weight,
                status=Product.Status.ACTIVE,
                featured=p_featured,
            )
            created["products"] += 1
            image = ProductImage(product=product, position=0, alt_text=p_name)
            image.image.save(f"demo-{p_slug}.jpg", ContentFile(product_photo(p_name)), save=True)
            created["images"] += 1
