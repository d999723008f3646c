import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from catalog.models import Product
from catalog.search import expand_query, product_search
from catalog.tests.factories import catalog_product, category
from conftest import make_user
from stores.models import StoreFeatureFlags

URL = "/api/buyer/products"


def names(res) -> list[str]:
    assert res.status_code == 200, res.json()
    return [item["name"] for item in res.json()["data"]]


@pytest.fixture
def shop(db):
    seller = make_user("seller")
    store = seller.store
    store.name = "Sambal Pecel Mbok Jum"
    store.slug = "sambal-pecel-mbok-jum"
    store.save()
    return store


@pytest.fixture
def catalogue(shop):
    batik = make_user("seller").store
    catalog_product(shop, name="Sambal Pecel Khas Blitar", price=17000, description="Pedas, kacang sangrai")
    catalog_product(shop, name="Keripik Tempe Original", price=18000, category_id=category("oleh-oleh-blitar").id)
    catalog_product(shop, name="Rempeyek Kacang", price=15000, description="Teman makan pecel")
    catalog_product(batik, name="Batik Tulis Kendang Jimbe", price=450000, category_id=category("batik-tenun").id)
    catalog_product(batik, name="Kemeja Batik Pria", price=285000, category_id=category("fashion").id)
    return shop, batik


@pytest.mark.django_db
def test_public_search_no_login_and_shape(api_client, catalogue):
    res = api_client.get(URL, {"search": "sambal pecel"})
    data = res.json()["data"]
    assert res.status_code == 200
    assert data[0]["name"] == "Sambal Pecel Khas Blitar"
    assert data[0]["store"] == {
        "id": str(catalogue[0].id),
        "slug": "sambal-pecel-mbok-jum",
        "name": "Sambal Pecel Mbok Jum",
    }
    assert {"id", "price", "image_url", "category", "slug"} <= set(data[0])
    assert res.json()["meta"]["total"] == len(data)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, expected",
    [
        ("sambel pecal", "Sambal Pecel Khas Blitar"),
        ("kripik tempe", "Keripik Tempe Original"),
        ("keripik", "Keripik Tempe Original"),
        ("BATIK tulis", "Batik Tulis Kendang Jimbe"),
        ("batk tuls", "Batik Tulis Kendang Jimbe"),
        ("kemeja", "Kemeja Batik Pria"),
        ("rempeyk", "Rempeyek Kacang"),
        ("sámbal", "Sambal Pecel Khas Blitar"),
    ],
)
def test_typo_tolerant_search(api_client, catalogue, query, expected):
    assert names(api_client.get(URL, {"search": query}))[0] == expected


@pytest.mark.django_db
def test_store_name_and_description_are_searchable(api_client, catalogue):
    # Store name (weight B) finds all of the shop's products.
    assert set(names(api_client.get(URL, {"search": "mbok jum"}))) == {
        "Sambal Pecel Khas Blitar",
        "Keripik Tempe Original",
        "Rempeyek Kacang",
    }
    # A name match outranks a description-only match.
    found = names(api_client.get(URL, {"search": "pecel"}))
    assert found[0] == "Sambal Pecel Khas Blitar"


@pytest.mark.django_db
def test_misses_and_junk(api_client, catalogue):
    assert names(api_client.get(URL, {"search": "xyzzy qwerty"})) == []
    assert api_client.get(URL, {"search": "!!! ''' &&"}).json()["meta"]["total"] == 0
    assert api_client.get(URL, {"search": "a:* | !b"}).status_code == 200


@pytest.mark.django_db
def test_expand_query_only_widens_unknown_words(catalogue):
    assert expand_query("batik") == "('batik')"
    expanded = expand_query("sambel pecal")
    assert "'sambal'" in expanded and "'pecel'" in expanded and " & " in expanded


@pytest.mark.django_db
def test_filters_and_sorts(api_client, catalogue):
    shop, batik = catalogue
    assert set(names(api_client.get(URL, {"store": batik.slug}))) == {"Batik Tulis Kendang Jimbe", "Kemeja Batik Pria"}
    assert len(names(api_client.get(URL, {"store": str(shop.id)}))) == 3
    assert names(api_client.get(URL, {"category": "batik-tenun"})) == ["Batik Tulis Kendang Jimbe"]
    assert names(api_client.get(URL, {"category": str(category("fashion").id)})) == ["Kemeja Batik Pria"]
    assert names(api_client.get(URL, {"category": "tidak-ada"})) == []
    assert set(names(api_client.get(URL, {"min_price": 16000, "max_price": 20000}))) == {
        "Sambal Pecel Khas Blitar",
        "Keripik Tempe Original",
    }
    prices = [i["price"] for i in api_client.get(URL, {"sort": "price_asc"}).json()["data"]]
    assert prices == sorted(prices)
    prices = [i["price"] for i in api_client.get(URL, {"sort": "price_desc"}).json()["data"]]
    assert prices == sorted(prices, reverse=True)
    newest = names(api_client.get(URL, {"sort": "newest"}))
    assert newest[0] == "Kemeja Batik Pria"
    assert names(api_client.get(URL, {"search": "batik", "sort": "price_asc"})) == [
        "Kemeja Batik Pria",
        "Batik Tulis Kendang Jimbe",
    ]


@pytest.mark.django_db
def test_paging(api_client, catalogue):
    res = api_client.get(URL, {"limit": 2, "page": 2, "sort": "price_asc"})
    assert res.json()["meta"] == {"page": 2, "limit": 2, "total": 5}
    assert [i["price"] for i in res.json()["data"]] == [18000, 285000]
    assert api_client.get(URL, {"page": 50}).json()["data"] == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"page": 0},
        {"page": "abc"},
        {"limit": 1000},
        {"limit": -1},
        {"min_price": -1},
        {"max_price": "murah"},
        {"min_price": 5000, "max_price": 100},
        {"sort": "cheapest"},
        {"min_price": "1e9"},
        {"page": "99999999999999"},
    ],
)
def test_bad_params_400(api_client, catalogue, params):
    res = api_client.get(URL, params)
    assert res.status_code == 400
    assert res.json()["error"] and res.json()["meta"]["fields"]


@pytest.mark.django_db
def test_hidden_products(api_client, catalogue):
    shop, batik = catalogue
    draft = catalog_product(shop, name="Sambal Draf Rahasia", status="draft")
    archived = catalog_product(shop, name="Sambal Arsip Lama", status="archived")
    deleted = catalog_product(shop, name="Sambal Terhapus Sekali")
    Product.objects.filter(pk=deleted.pk).update(deleted_at=timezone.now())
    found = names(api_client.get(URL, {"search": "sambal"}))
    assert draft.name not in found and archived.name not in found and deleted.name not in found
    # A suspended store's products disappear from every search and listing.
    batik.is_active = False
    batik.save()
    assert names(api_client.get(URL, {"search": "batik"})) == []
    assert names(api_client.get(URL, {"store": batik.slug})) == []
    assert api_client.get(URL).json()["meta"]["total"] == 3


@pytest.mark.django_db
def test_query_count_is_flat(api_client, shop, django_assert_max_num_queries, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.base import ContentFile

    from catalog.models import ProductImage
    from catalog.tests.factories import image_bytes

    def add(n: int) -> None:
        for _ in range(n):
            product = catalog_product(shop, name=f"Sambal Pecel Varian {Product.objects.count()}")
            image = ProductImage(product=product, position=0)
            image.image.save(f"p{product.pk}.png", ContentFile(image_bytes()), save=True)

    add(1)
    # Lexicon lookup + count + page + images.
    with django_assert_max_num_queries(4):
        assert len(names(api_client.get(URL, {"search": "sambel"}))) == 1
    add(12)
    with django_assert_max_num_queries(4):
        data = api_client.get(URL, {"search": "sambel"}).json()["data"]
    assert len(data) == 13 and all(item["image_url"] for item in data)
    with django_assert_max_num_queries(3):
        assert len(names(api_client.get(URL))) == 13


@pytest.mark.django_db
def test_product_search_function_for_pages(catalogue):
    qs = product_search(query="kripik", sort="relevance")
    assert [p.name for p in qs] == ["Keripik Tempe Original"]
    assert qs[0].store.name == "Sambal Pecel Mbok Jum"


@pytest.mark.django_db
def test_seed_demo_is_idempotent(tmp_path, settings, django_assert_max_num_queries):
    settings.MEDIA_ROOT = tmp_path
    settings.SEED_DEMO = True  # tests run with DEBUG off; demo data needs the explicit flag
    call_command("seed_demo")
    counts = (User.objects.count(), Product.objects.count(), len(list((tmp_path / "products").rglob("*.jpg"))))
    assert counts[1] >= 50 and counts[2] == counts[1]
    snapshot = list(Product.objects.order_by("pk").values_list("pk", "updated_at", "price"))
    call_command("seed_demo")
    assert (User.objects.count(), Product.objects.count(), len(list((tmp_path / "products").rglob("*.jpg")))) == counts
    assert list(Product.objects.order_by("pk").values_list("pk", "updated_at", "price")) == snapshot
    penjual = User.objects.get(email="penjual@tokoblitar.id")
    assert penjual.role == "seller" and penjual.check_password("demo12345") and penjual.store.products.exists()
    # The demo seller's sales channels and Instagram are on (they default off for other stores).
    flags = StoreFeatureFlags.objects.get(store=penjual.store)
    assert flags.marketplace_sync and flags.instagram
    admin = User.objects.get(email="admin@tokoblitar.id")
    assert admin.is_superuser and admin.role == "admin"
    assert User.objects.get(email="pembeli@tokoblitar.id").role == "buyer"
    assert product_search(query="sambel pecal").first().name.startswith("Sambal Pecel")


@pytest.mark.django_db
def test_seed_bench_fills_a_searchable_catalogue_once():
    call_command("seed_bench", products=300, stores=6)
    bench = Product.objects.filter(store__slug__startswith="bench-")
    assert bench.count() == 300 and not bench.filter(search_vector__isnull=True).exists()
    ids = set(bench.values_list("pk", flat=True))
    call_command("seed_bench", products=300, stores=6)
    assert set(bench.values_list("pk", flat=True)) == ids  # second run leaves it alone
    # A typo in the longest word of a bench product's name still finds it.
    product = next(p for p in bench.order_by("name") if max(map(len, p.name.split())) >= 7)
    word = max(product.name.split(), key=len).lower()
    typo = word[:3] + word[4:]
    assert product_search(query=typo).filter(pk=product.pk).exists(), typo
    call_command("seed_bench", products=120, stores=4, reset=True)
    assert bench.count() == 120


@pytest.mark.django_db
def test_listing_answers_are_reused_until_the_catalogue_changes(api_client, django_assert_max_num_queries):
    from catalog.tests.factories import catalog_product
    from conftest import make_user

    store = make_user("seller").store
    product = catalog_product(store=store, name="Wingko Babat Kelapa Muda", status="active")
    first = api_client.get("/api/buyer/products", {"search": "wingko"}).json()
    assert [p["name"] for p in first["data"]] == ["Wingko Babat Kelapa Muda"]
    with django_assert_max_num_queries(0):  # served from the micro-cache
        again = api_client.get("/api/buyer/products", {"search": "wingko"}).json()
    assert again == first
    # An edit invalidates at once (signal-driven version bump), suspension too.
    product.name = "Wingko Babat Durian"
    product.save()
    renamed = api_client.get("/api/buyer/products", {"search": "wingko"}).json()
    assert [p["name"] for p in renamed["data"]] == ["Wingko Babat Durian"]
    store.is_active = False
    store.save()
    assert api_client.get("/api/buyer/products", {"search": "wingko"}).json()["data"] == []


# --- The result window (issue 17 item 4): bounded work whatever the catalogue size ---------


@pytest.fixture
def small_window(monkeypatch):
    """A result window of 3 so a handful of rows exercises what 1,000 does at scale."""
    import catalog.api
    import catalog.search

    monkeypatch.setattr(catalog.search, "RESULT_WINDOW", 3)
    monkeypatch.setattr(catalog.api, "RESULT_WINDOW", 3)


@pytest.fixture
def many_keripik(shop):
    # Inserted first, so they come first in an unordered scan: description-only matches.
    for i in range(5):
        catalog_product(shop, name=f"Rengginang Bawang {i}", price=10000 + i, description="Renyah seperti keripik")
    catalog_product(shop, name="Keripik Tempe Pedas", price=20000)
    catalog_product(shop, name="Keripik Pisang Manis", price=21000)
    return shop


@pytest.mark.django_db
def test_total_above_the_window_is_a_lower_bound(api_client, many_keripik, small_window):
    res = api_client.get(URL, {"search": "keripik"})
    assert res.status_code == 200, res.json()
    assert res.json()["meta"] == {"page": 1, "limit": 20, "total": 3, "total_exact": False}
    assert len(res.json()["data"]) == 3
    # Within the window the total is exact and the meta keeps SPEC's shape.
    res = api_client.get(URL, {"search": "keripik pisang"})
    assert res.json()["meta"] == {"page": 1, "limit": 20, "total": 1}


@pytest.mark.django_db
def test_name_matches_rank_first_even_when_scanned_last(api_client, many_keripik, small_window):
    """Five description matches come first in the table; the window still holds both name matches."""
    got = names(api_client.get(URL, {"search": "keripik"}))
    assert got[:2] == ["Keripik Pisang Manis", "Keripik Tempe Pedas"]  # newest first among equals
    assert all(name.startswith("Rengginang") for name in got[2:])


@pytest.mark.django_db
def test_the_window_is_the_same_on_every_request(api_client, many_keripik, small_window):
    first = [names(api_client.get(URL, {"search": "keripik", "limit": 1, "page": p})) for p in (1, 2, 3)]
    again = [names(api_client.get(URL, {"search": "keripik", "limit": 1, "page": p})) for p in (1, 2, 3)]
    assert first == again
    assert len({n for page in first for n in page}) == 3  # no row twice across pages


@pytest.mark.django_db
@pytest.mark.parametrize("lang, text", [("id", "Hanya 3 hasil pertama"), ("en", "Only the first 3 results")])
def test_a_page_past_the_window_is_refused(api_client, many_keripik, small_window, lang, text):
    before = Product.objects.count()
    res = api_client.get(URL, {"search": "keripik", "limit": 2, "page": 3}, HTTP_ACCEPT_LANGUAGE=lang)
    assert res.status_code == 400
    body = res.json()
    assert body["meta"]["code"] == "page_out_of_range"
    assert text in body["error"]
    assert Product.objects.count() == before
    # The last page inside the window answers, short at the window's edge.
    assert len(names(api_client.get(URL, {"search": "keripik", "limit": 2, "page": 2}))) == 1
    # Listings and sorted searches have the same window.
    assert api_client.get(URL, {"sort": "newest", "limit": 3, "page": 1}).json()["meta"]["total_exact"] is False
    assert api_client.get(URL, {"sort": "newest", "limit": 3, "page": 2}).status_code == 400


@pytest.mark.django_db
def test_the_default_window_serves_fifty_pages_of_twenty(api_client, catalogue):
    assert api_client.get(URL, {"page": 50, "limit": 20}).status_code == 200
    res = api_client.get(URL, {"page": 51, "limit": 20})
    assert res.status_code == 400
    assert res.json()["meta"]["code"] == "page_out_of_range"
