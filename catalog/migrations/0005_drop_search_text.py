"""`search_text` served per-row trigram matching, replaced by the word lexicon (0004)."""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION catalog_product_search_fill() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector := catalog_product_search_document(
        NEW.name, NEW.description, (SELECT s.name FROM stores_store s WHERE s.id = NEW.store_id));
    IF TG_OP = 'INSERT' OR NEW.name IS DISTINCT FROM OLD.name THEN
        PERFORM catalog_search_words_add(NEW.name);
    END IF;
    RETURN NEW;
END
$$;
"""

BACKWARD = r"""
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
"""


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_search_words")]

    operations = [
        # The function first: it must stop writing the column before the column goes.
        migrations.RunSQL(FORWARD, BACKWARD),
        migrations.RemoveField(model_name="product", name="search_text"),
    ]
