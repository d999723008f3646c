"""The search index table (`catalog_search_entry`, migration 0011) and the pages read from it.

The triggers must keep exactly the public products in the table, whatever writes the product
or its store; and a page read from the table (catalog.search._SearchPlan.page) must equal the
same page of the reference QuerySet, for every sort, filter and window size.
"""

import itertools
import random
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import Product, ProductSearchEntry
from catalog.search import Sort, TextSearchQuerySet, product_search
from catalog.tests.factories import catalog_product, category
from conftest import make_user

URL = "/api/buyer/products"


def entry(product: Product) -> ProductSearchEntry | None:
    return ProductSearchEntry.objects.filter(product_id=product.pk).first()


@pytest.fixture
def store(db):
    store = make_user("seller").store
    store.name = "Dapur Bu Sri"
    store.save()
    return store


# --- The triggers ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_public_products_have_an_entry(store):
    draft = catalog_product(store, name="Keripik Draf", status=Product.Status.DRAFT)
    active = catalog_product(store, name="Keripik Tempe", price=18000, category_id=category().id)
    assert entry(draft) is None
    row = entry(active)
    assert (row.store_id, row.category_id, row.price, row.created_at) == (
        store.pk,
        active.category_id,
        18000,
        active.created_at,
    )
    # The document is the product's own search vector (name A, store name B, description C).
    active.refresh_from_db()
    assert row.document == active.search_vector

    draft.status = Product.Status.ACTIVE
    draft.save()
    assert entry(draft) is not None
    active.status = Product.Status.ARCHIVED
    active.save(update_fields=["status"])
    assert entry(active) is None


@pytest.mark.django_db
def test_edits_reach_the_entry_and_stock_updates_do_not_rewrite_it(store):
    product = catalog_product(store, name="Keripik Tempe", price=18000)
    Product.objects.filter(pk=product.pk).update(price=21000, category_id=category("fashion").id)
    assert (entry(product).price, entry(product).category_id) == (21000, category("fashion").id)

    product.refresh_from_db()
    product.name = "Wingko Babat Durian"
    product.save()
    assert ProductSearchEntry.objects.filter(pk=product.pk, document=_tsquery("wingko")).exists()
    assert not ProductSearchEntry.objects.filter(pk=product.pk, document=_tsquery("keripik")).exists()

    # A checkout's guarded stock update does not touch the index (the trigger's column list).
    with connection.cursor() as cursor:
        cursor.execute("SELECT xmin::text FROM catalog_search_entry WHERE product_id = %s", [product.pk])
        before = cursor.fetchone()[0]
        Product.objects.filter(pk=product.pk).update(stock=3)
        cursor.execute("SELECT xmin::text FROM catalog_search_entry WHERE product_id = %s", [product.pk])
        assert cursor.fetchone()[0] == before


@pytest.mark.django_db
def test_soft_and_hard_deletes_remove_the_entry(store):
    soft = catalog_product(store, name="Keripik Satu")
    hard = catalog_product(store, name="Keripik Dua")
    Product.objects.filter(pk=soft.pk).update(deleted_at=timezone.now())
    with connection.cursor() as cursor:  # not through Django's collector: the trigger alone
        cursor.execute("DELETE FROM catalog_product WHERE id = %s", [hard.pk])
    assert ProductSearchEntry.objects.count() == 0


@pytest.mark.django_db
def test_a_suspended_store_leaves_the_index_and_comes_back(store):
    catalog_product(store, name="Keripik Satu")
    catalog_product(store, name="Keripik Draf", status=Product.Status.DRAFT)
    other = catalog_product(make_user("seller").store, name="Keripik Lain")
    store.is_active = False
    store.save()
    assert list(ProductSearchEntry.objects.values_list("product_id", flat=True)) == [other.pk]
    # A product saved while its store is suspended stays out.
    catalog_product(store, name="Keripik Baru")
    assert ProductSearchEntry.objects.count() == 1
    store.is_active = True
    store.save()
    assert ProductSearchEntry.objects.count() == 3  # the two active ones, not the draft


@pytest.mark.django_db
def test_a_store_rename_reaches_the_documents(store):
    product = catalog_product(store, name="Sambal Pecel")
    store.name = "Warung Kanigoro"
    store.save()
    assert ProductSearchEntry.objects.filter(pk=product.pk, document=_tsquery("kanigoro")).exists()


def _tsquery(word: str):
    from django.contrib.postgres.search import SearchQuery

    return SearchQuery(word, config="tokoblitar_id")


# --- Pages from the index equal the reference QuerySet's pages --------------------------------


@pytest.fixture
def varied(db):
    """60 products over 3 stores, several categories, prices and dates, some sharing both a
    price and a creation time (so the last tie-breaker, the id, decides)."""
    rng = random.Random(17)
    stores = []
    for name in ("Dapur Bu Sri", "Kopi Mbok Jum", "Batik Kanigoro"):
        store = make_user("seller").store
        store.name = name
        store.save()
        stores.append(store)
    words = ["Keripik Tempe", "Kripik Pisang", "Kopi Bubuk", "Batik Tulis", "Sambal Pecel", "Madu Hutan"]
    extras = ["Pedas", "Manis", "Original", "Bu Sri", "Super", ""]
    slugs = ["makanan-minuman", "fashion", "batik-tenun", "kerajinan"]
    now = timezone.now()
    products = []
    for i in range(60):
        name = f"{rng.choice(words)} {rng.choice(extras)} {i}".replace("  ", " ")
        product = catalog_product(
            stores[i % 3],
            name=name,
            price=rng.choice([15000, 18000, 25000, 25000, 60000]),
            category_id=category(rng.choice(slugs)).id,
            description=rng.choice(["Renyah dan gurih", "Oleh-oleh keripik khas Blitar", "Kopi robusta pilihan"]),
        )
        products.append(product)
    # Creation times in pairs, so equal (price, created_at) pairs exist.
    for i, product in enumerate(products):
        Product.objects.filter(pk=product.pk).update(created_at=now - timedelta(minutes=i // 2))
    hidden = catalog_product(stores[0], name="Keripik Draf Tersembunyi", status=Product.Status.DRAFT)
    return stores, hidden


QUERIES = ["keripik", "kripik tempe", "kopi", "bu sri", "batik tulis", "sambel pecal", "keripik murah", "xyzzy"]
FILTERS = [{}, {"category": "makanan-minuman"}, {"min_price": 18000, "max_price": 30000}]


def _pages(qs, size: int, count: int) -> list[list]:
    return [[p.pk for p in qs[i * size : (i + 1) * size]] for i in range(count)]


def _reference_pages(qs, size: int, count: int) -> list[list]:
    return [list(qs.values_list("pk", flat=True)[i * size : (i + 1) * size]) for i in range(count)]


@pytest.mark.django_db
@pytest.mark.parametrize("window, walk", [(1000, 5000), (7, 5000), (1000, 4), (7, 4)])
def test_pages_from_the_index_equal_the_reference(varied, monkeypatch, window, walk):
    """Every query x sort x filter: the same ids in the same order, page by page, and the same
    capped total. A window of 7 makes the relevance window and the capped totals bite; a walk of
    4 rows makes the sorted searches fall back to reading every match."""
    import catalog.search

    monkeypatch.setattr(catalog.search, "RESULT_WINDOW", window)
    monkeypatch.setattr(catalog.search, "SORTED_WALK_ROWS", walk)
    stores, hidden = varied
    checked = 0
    for query, sort, filters in itertools.product(QUERIES, Sort.CHOICES, [*FILTERS, {"store": stores[0].slug}]):
        qs = product_search(query=query, sort=sort, **filters)
        if not isinstance(qs, TextSearchQuerySet):
            continue
        case = (query, sort, filters)
        pages = -(-min(window, 20) // 5)  # paginate never reads past the window
        fast = _pages(qs, 5, pages)
        rows = list(qs[0:5])
        capped = qs.order_by().values("pk")[: window + 1].count()
        if rows:
            assert {row.window_total for row in rows} == {capped}, case
            checked += 1
        flat = [pk for page in fast for pk in page][:window]
        assert hidden.pk not in flat and len(flat) == len(set(flat)), case
        if sort == Sort.RELEVANCE and "murah" not in query and capped > window:
            # The window is the first matches of an unordered scan of each table, so which
            # matches it holds may differ; both hold `window` of them, ranked the same way.
            every_match = set(product_search(query=query, sort=Sort.NEWEST, **filters).values_list("pk", flat=True))
            assert set(flat) <= every_match and len(flat) == min(window, pages * 5), case
            continue
        reference = [pk for page in _reference_pages(qs, 5, pages) for pk in page][:window]
        assert flat == reference, case
    assert checked > 50  # the comparison is not vacuous


@pytest.mark.django_db
def test_a_search_page_is_read_from_the_index(api_client, varied):
    with CaptureQueriesContext(connection) as ctx:
        res = api_client.get(URL, {"search": "keripik"})
    assert res.status_code == 200 and res.json()["data"]
    sql = [q["sql"] for q in ctx.captured_queries]
    assert any("catalog_search_entry" in s for s in sql)
    # The product rows are fetched for the page only (no 1,000-row join).
    assert not any("catalog_product" in s and "COUNT(" in s.upper() for s in sql)
    with CaptureQueriesContext(connection) as ctx:
        res = api_client.get(URL, {"search": "kopi", "sort": "price_asc"})
    assert res.status_code == 200
    assert any("catalog_search_entry" in q["sql"] for q in ctx.captured_queries)
    prices = [item["price"] for item in res.json()["data"]]
    assert prices == sorted(prices) and prices


@pytest.mark.django_db
def test_a_filtered_clone_runs_the_reference(varied):
    qs = product_search(query="keripik")
    narrowed = qs.filter(price__lte=18000)
    assert all(p.price <= 18000 for p in narrowed[:50])
    assert [p.pk for p in narrowed[:50]] == list(narrowed.values_list("pk", flat=True)[:50])
    # first() reads one row of the search, in its order.
    assert qs.first().pk == qs.values_list("pk", flat=True)[0]


@pytest.mark.django_db
def test_a_page_never_builds_the_reference(varied, monkeypatch):
    """Pages come from the index alone; the ORM form is built only for other uses."""
    import catalog.search

    built = []
    real = catalog.search._reference_search
    monkeypatch.setattr(catalog.search, "_reference_search", lambda *args: built.append(args) or real(*args))
    qs = product_search(query="keripik", sort=Sort.PRICE_ASC)
    first, second = list(qs[0:5]), list(qs[5:10])
    assert first and not set(first) & set(second)
    assert built == []
    assert qs.count() == len(list(qs.values_list("pk", flat=True)))
    assert len(built) >= 1
