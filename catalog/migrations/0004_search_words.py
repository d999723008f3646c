"""Typo tolerance that stays fast at 100k+ products: a lexicon of known words.

Trigram-matching a query against every product name costs a recheck per candidate
row; for common syllables ("ba", "ik ") that is tens of thousands of rows. Instead
(the pg_trgm documentation's "text search integration" pattern) we keep the distinct
words of product and store names in `catalog_search_word` with a GIN trigram index.
A query word that is not in the lexicon is replaced by its nearest known words
(`%` similarity over a few thousand rows, well under a millisecond), and the
expanded query runs on the full-text GIN index.

The product trigger adds the words of a new/renamed product; the store triggers add
the words of a new/renamed store. Words are never removed: a stale word only ever
expands a query to something that matches nothing.
"""

from django.db import migrations

FORWARD = r"""
-- Superseded by the lexicon below (a per-row trigram recheck does not scale).
DROP INDEX IF EXISTS catalog_product_search_text_trgm;

CREATE TABLE catalog_search_word (word text PRIMARY KEY);
CREATE INDEX catalog_search_word_trgm ON catalog_search_word USING gin (word gin_trgm_ops);

CREATE FUNCTION catalog_search_words_add(p_text text) RETURNS void LANGUAGE sql AS $$
    INSERT INTO catalog_search_word (word)
    SELECT DISTINCT w
      FROM regexp_split_to_table(lower(unaccent(coalesce(p_text, ''))), '[^a-z0-9]+') AS w
     WHERE length(w) BETWEEN 2 AND 40
    ON CONFLICT DO NOTHING
$$;

CREATE OR REPLACE FUNCTION catalog_product_search_fill() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector := catalog_product_search_document(
        NEW.name, NEW.description, (SELECT s.name FROM stores_store s WHERE s.id = NEW.store_id));
    NEW.search_text := lower(unaccent(NEW.name));
    IF TG_OP = 'INSERT' OR NEW.name IS DISTINCT FROM OLD.name THEN
        PERFORM catalog_search_words_add(NEW.name);
    END IF;
    RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION stores_store_search_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM catalog_search_words_add(NEW.name);
    IF TG_OP = 'UPDATE' THEN
        UPDATE catalog_product
           SET search_vector = catalog_product_search_document(name, description, NEW.name)
         WHERE store_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER stores_store_search_words
    AFTER INSERT ON stores_store
    FOR EACH ROW EXECUTE FUNCTION stores_store_search_refresh();

SELECT catalog_search_words_add(name) FROM catalog_product;
SELECT catalog_search_words_add(name) FROM stores_store;
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS stores_store_search_words ON stores_store;
CREATE OR REPLACE FUNCTION stores_store_search_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE catalog_product
       SET search_vector = catalog_product_search_document(name, description, NEW.name)
     WHERE store_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION catalog_product_search_fill() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector := catalog_product_search_document(
        NEW.name, NEW.description, (SELECT s.name FROM stores_store s WHERE s.id = NEW.store_id));
    NEW.search_text := lower(unaccent(NEW.name));
    RETURN NEW;
END
$$;
DROP FUNCTION IF EXISTS catalog_search_words_add(text);
DROP TABLE IF EXISTS catalog_search_word;
CREATE INDEX catalog_product_search_text_trgm ON catalog_product USING gin (search_text gin_trgm_ops);
"""


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_seed_categories")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
