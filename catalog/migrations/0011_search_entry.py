"""The search index table `catalog_search_entry`: one row per public product, kept by triggers.

- `catalog_search_entry_sync` (AFTER INSERT/UPDATE/DELETE on catalog_product, row level):
  a product that is active, not deleted and in an active store has its row (upserted);
  any other product has none. The column list leaves stock updates (every checkout) alone.
  `search_vector` is filled by the BEFORE trigger of 0002/0005, so the row copies the final
  vector; a store rename rewrites `search_vector` (0002), which reaches this trigger too.
- `catalog_search_entry_store` (AFTER UPDATE OF is_active on stores_store): a suspended
  store's rows go, a reinstated store's public products come back.
- The table is hash-partitioned on product_id (SEARCH_PARTITIONS parts, each with its own GIN
  index): a window of the first 1,001 matches of a broad word is found in the first part or two,
  so Postgres builds the match bitmap of an eighth of the catalogue instead of all of it
  ("madu hutan" at 1M: 11.6 -> 4.3 ms; bench/RESULTS.md, "A million products"). Django knows
  it as an ordinary model table (SeparateDatabaseAndState).
- Existing public products are copied in one INSERT ... SELECT before the indexes are built
  (1M products: about 20 s).
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

SEARCH_PARTITIONS = 8

TABLE = r"""
CREATE TABLE catalog_search_entry (
    product_id uuid NOT NULL PRIMARY KEY
        REFERENCES catalog_product (id) DEFERRABLE INITIALLY DEFERRED,
    store_id uuid NOT NULL,
    category_id uuid NULL,
    price bigint NOT NULL CHECK (price >= 0),
    created_at timestamp with time zone NOT NULL,
    document tsvector NOT NULL
) PARTITION BY HASH (product_id);
""" + "".join(
    f"CREATE TABLE catalog_search_entry_p{i} PARTITION OF catalog_search_entry"
    f" FOR VALUES WITH (MODULUS {SEARCH_PARTITIONS}, REMAINDER {i});\n"
    for i in range(SEARCH_PARTITIONS)
)

INDEXES = r"""
CREATE INDEX catalog_search_document ON catalog_search_entry USING gin (document);
CREATE INDEX catalog_search_price_asc ON catalog_search_entry (price, created_at DESC, product_id DESC);
CREATE INDEX catalog_search_price_desc ON catalog_search_entry (price DESC, created_at DESC, product_id DESC);
CREATE INDEX catalog_search_newest ON catalog_search_entry (created_at DESC, product_id DESC);
CREATE INDEX catalog_search_store ON catalog_search_entry (store_id);
SET CONSTRAINTS ALL DEFERRED;
ANALYZE catalog_search_entry;
"""

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

-- The foreign key is checked row by row here, not at commit: the indexes below cannot be built
-- while deferred checks are pending.
SET CONSTRAINTS ALL IMMEDIATE;
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
DROP TABLE IF EXISTS catalog_search_entry;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0010_featured_recent_index"),
        ("stores", "0004_renditions"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
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
                    options={
                        "db_table": "catalog_search_entry",
                        "indexes": [
                            django.contrib.postgres.indexes.GinIndex(
                                fields=["document"], name="catalog_search_document"
                            ),
                            models.Index(fields=["price", "-created_at", "-product"], name="catalog_search_price_asc"),
                            models.Index(
                                fields=["-price", "-created_at", "-product"], name="catalog_search_price_desc"
                            ),
                            models.Index(fields=["-created_at", "-product"], name="catalog_search_newest"),
                            models.Index(fields=["store_id"], name="catalog_search_store"),
                        ],
                    },
                ),
            ],
            database_operations=[
                migrations.RunSQL(TABLE + FORWARD + INDEXES, BACKWARD),
            ],
        ),
    ]
