"""The search index table `catalog_search_entry`: one row per public product, kept by triggers.

- `catalog_search_entry_sync` (AFTER INSERT/UPDATE/DELETE on catalog_product, row level):
  a product that is active, not deleted and in an active store has its row (upserted);
  any other product has none. The column list leaves stock updates (every checkout) alone.
  `search_vector` is filled by the BEFORE trigger of 0002/0005, so the row copies the final
  vector; a store rename rewrites `search_vector` (0002), which reaches this trigger too.
- `catalog_search_entry_store` (AFTER UPDATE OF is_active on stores_store): a suspended
  store's rows go, a reinstated store's public products come back.
- Existing public products are copied in one INSERT ... SELECT before the indexes are built
  (1M products: about 15 s).
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

FORWARD = r"""
CREATE FUNCTION catalog_search_entry_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM catalog_search_entry WHERE product_id = OLD.id;
        RETURN NULL;
    END IF;
    IF NEW.status = 'active' AND NEW.deleted_at IS NULL
       AND EXISTS (SELECT 1 FROM stores_store s WHERE s.id = NEW.store_id AND s.is_active) THEN
        INSERT INTO catalog_search_entry (product_id, store_id, category_id, price, created_at, document)
        VALUES (NEW.id, NEW.store_id, NEW.category_id, NEW.price, NEW.created_at,
                coalesce(NEW.search_vector, ''::tsvector))
        ON CONFLICT (product_id) DO UPDATE
           SET store_id = EXCLUDED.store_id, category_id = EXCLUDED.category_id, price = EXCLUDED.price,
               created_at = EXCLUDED.created_at, document = EXCLUDED.document
         -- An unchanged row is not rewritten (a save() of every column, the same values).
         WHERE (catalog_search_entry.store_id, catalog_search_entry.category_id, catalog_search_entry.price,
                catalog_search_entry.created_at, catalog_search_entry.document)
               IS DISTINCT FROM
               (EXCLUDED.store_id, EXCLUDED.category_id, EXCLUDED.price, EXCLUDED.created_at, EXCLUDED.document);
    ELSIF TG_OP = 'UPDATE' THEN
        DELETE FROM catalog_search_entry WHERE product_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER catalog_search_entry_sync
    AFTER INSERT OR DELETE
       OR UPDATE OF status, deleted_at, store_id, category_id, price, created_at, name, description, search_vector
    ON catalog_product
    FOR EACH ROW EXECUTE FUNCTION catalog_search_entry_sync();

CREATE FUNCTION catalog_search_entry_store() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.is_active THEN
        INSERT INTO catalog_search_entry (product_id, store_id, category_id, price, created_at, document)
        SELECT p.id, p.store_id, p.category_id, p.price, p.created_at, coalesce(p.search_vector, ''::tsvector)
          FROM catalog_product p
         WHERE p.store_id = NEW.id AND p.status = 'active' AND p.deleted_at IS NULL
        ON CONFLICT (product_id) DO NOTHING;
    ELSE
        DELETE FROM catalog_search_entry WHERE store_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER catalog_search_entry_store
    AFTER UPDATE OF is_active ON stores_store
    FOR EACH ROW WHEN (OLD.is_active IS DISTINCT FROM NEW.is_active)
    EXECUTE FUNCTION catalog_search_entry_store();

INSERT INTO catalog_search_entry (product_id, store_id, category_id, price, created_at, document)
SELECT p.id, p.store_id, p.category_id, p.price, p.created_at, coalesce(p.search_vector, ''::tsvector)
  FROM catalog_product p
  JOIN stores_store s ON s.id = p.store_id
 WHERE p.status = 'active' AND p.deleted_at IS NULL AND s.is_active;
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS catalog_search_entry_store ON stores_store;
DROP FUNCTION IF EXISTS catalog_search_entry_store();
DROP TRIGGER IF EXISTS catalog_search_entry_sync ON catalog_product;
DROP FUNCTION IF EXISTS catalog_search_entry_sync();
DELETE FROM catalog_search_entry;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0010_featured_recent_index"),
        ("stores", "0004_renditions"),
    ]

    operations = [
        migrations.CreateModel(
            name="ProductSearchEntry",
            fields=[
                (
                    "product",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_entry",
                        serialize=False,
                        to="catalog.product",
                    ),
                ),
                ("store_id", models.UUIDField()),
                ("category_id", models.UUIDField(null=True)),
                ("price", models.PositiveBigIntegerField()),
                ("created_at", models.DateTimeField()),
                ("document", django.contrib.postgres.search.SearchVectorField()),
            ],
            options={"db_table": "catalog_search_entry"},
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
        migrations.AddIndex(
            model_name="productsearchentry",
            index=django.contrib.postgres.indexes.GinIndex(fields=["document"], name="catalog_search_document"),
        ),
        migrations.AddIndex(
            model_name="productsearchentry",
            index=models.Index(fields=["price", "-created_at", "-product"], name="catalog_search_price_asc"),
        ),
        migrations.AddIndex(
            model_name="productsearchentry",
            index=models.Index(fields=["-price", "-created_at", "-product"], name="catalog_search_price_desc"),
        ),
        migrations.AddIndex(
            model_name="productsearchentry",
            index=models.Index(fields=["-created_at", "-product"], name="catalog_search_newest"),
        ),
        migrations.AddIndex(
            model_name="productsearchentry",
            index=models.Index(fields=["store_id"], name="catalog_search_store"),
        ),
    ]
