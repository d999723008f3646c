"""Indonesian full-text search with typo tolerance, maintained inside PostgreSQL.

- `tokoblitar_id`: a copy of the `indonesian` configuration that folds accents first
  (unaccent), so "kopi" matches "kopí" and stems stay Indonesian.
- A BEFORE trigger fills `search_vector` (name A, store name B, description C) and
  `search_text` (lower(unaccent(name)), for pg_trgm) on every insert and on updates of
  name/description/store, so ORM saves, admin edits and COPY-based bulk loads all stay
  searchable without application code.
- An AFTER trigger on stores refreshes the products of a renamed store in one UPDATE.
"""

from django.db import migrations, models

FORWARD = r"""
CREATE TEXT SEARCH CONFIGURATION tokoblitar_id (COPY = pg_catalog.indonesian);
ALTER TEXT SEARCH CONFIGURATION tokoblitar_id
    ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part
    WITH unaccent, indonesian_stem;

CREATE FUNCTION catalog_product_search_document(p_name text, p_description text, p_store text)
RETURNS tsvector LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT setweight(to_tsvector('tokoblitar_id', coalesce(p_name, '')), 'A')
        || setweight(to_tsvector('tokoblitar_id', coalesce(p_store, '')), 'B')
        -- Long descriptions add little to ranking but cost on every match.
        || setweight(to_tsvector('tokoblitar_id', left(coalesce(p_description, ''), 2000)), 'C')
$$;

CREATE FUNCTION catalog_product_search_fill() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector := catalog_product_search_document(
        NEW.name, NEW.description, (SELECT s.name FROM stores_store s WHERE s.id = NEW.store_id));
    NEW.search_text := lower(unaccent(NEW.name));
    RETURN NEW;
END
$$;

-- Column list: stock/status updates (orders) do not pay for re-indexing.
CREATE TRIGGER catalog_product_search_fill
    BEFORE INSERT OR UPDATE OF name, description, store_id ON catalog_product
    FOR EACH ROW EXECUTE FUNCTION catalog_product_search_fill();

CREATE FUNCTION stores_store_search_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE catalog_product
       SET search_vector = catalog_product_search_document(name, description, NEW.name)
     WHERE store_id = NEW.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER stores_store_search_refresh
    AFTER UPDATE OF name ON stores_store
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION stores_store_search_refresh();

CREATE INDEX catalog_product_search_text_trgm ON catalog_product USING gin (search_text gin_trgm_ops);

UPDATE catalog_product p
   SET search_vector = catalog_product_search_document(p.name, p.description, s.name),
       search_text = lower(unaccent(p.name))
  FROM stores_store s
 WHERE s.id = p.store_id;
"""

BACKWARD = r"""
DROP INDEX IF EXISTS catalog_product_search_text_trgm;
DROP TRIGGER IF EXISTS stores_store_search_refresh ON stores_store;
DROP FUNCTION IF EXISTS stores_store_search_refresh();
DROP TRIGGER IF EXISTS catalog_product_search_fill ON catalog_product;
DROP FUNCTION IF EXISTS catalog_product_search_fill();
DROP FUNCTION IF EXISTS catalog_product_search_document(text, text, text);
DROP TEXT SEARCH CONFIGURATION IF EXISTS tokoblitar_id;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
        ("stores", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="product",
            name="search_text",
            field=models.TextField(editable=False, null=True),
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
