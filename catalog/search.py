"""Public product search: Indonesian full-text search with pg_trgm typo correction.

The database keeps `Product.search_vector` (name A, store name B, description C, in the
`tokoblitar_id` configuration = `indonesian` + unaccent) up to date with triggers
(catalog migrations 0002/0004), so ORM saves, admin edits and COPY bulk loads all stay
searchable without application code. The same triggers keep `catalog_search_word`,
the lexicon of words used in product and store names, with a GIN trigram index.

A search runs in two steps, each an index lookup:
1. `expand_query`: every query word that is not a known word is widened to its nearest
   known words by trigram similarity (`%`, GIN trigram index on the small lexicon):
   "sambel pecal" -> (sambel | sambal) & (pecal | pecel), "kripik" -> (kripik | keripik).
2. The expanded tsquery runs against the GIN index on `search_vector`; relevance is
   ts_rank, with the best-matching (closest) words first in each group.
Comparing the query with every product name instead (similarity per row) costs a
recheck for each of tens of thousands of candidate rows at 100k products: too slow.
"""

from __future__ import annotations

import re
import unicodedata
import uuid

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, Prefetch, QuerySet

from catalog.models import Product, ProductImage

SEARCH_CONFIG = "tokoblitar_id"
# Trigram similarity for word corrections: "pecal"/"pecel" is 0.33, "sambel"/"sambal"
# 0.4; unrelated words of the lexicon score far lower.
SIMILARITY_THRESHOLD = 0.3
CORRECTIONS_PER_WORD = 3
# A correctly spelled (known) word is widened too, but only to close spelling variants:
# "sambal" also finds "sambel" (0.4), "keripik" finds "kripik" (0.5), "batik" stays alone.
KNOWN_WORD_SIMILARITY = 0.35
MAX_QUERY_WORDS = 8
MAX_QUERY_LENGTH = 100


class Sort:
    RELEVANCE = "relevance"
    NEWEST = "newest"
    PRICE_ASC = "price_asc"
    PRICE_DESC = "price_desc"
    CHOICES = (RELEVANCE, NEWEST, PRICE_ASC, PRICE_DESC)


def configure_connection(sender, connection, **kwargs) -> None:
    """`connection_created` hook: per-session pg_trgm threshold for the `%` operator."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        # A placeholder until pg_trgm loads in this session; the module then adopts it.
        cursor.execute(f"SET pg_trgm.similarity_threshold = {SIMILARITY_THRESHOLD}")


def normalize_query(query: str | None) -> str:
    """Lower-case, accents folded, whitespace collapsed, length capped (like the lexicon words)."""
    if not query:
        return ""
    folded = unicodedata.normalize("NFKD", query)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", folded).strip().lower()[:MAX_QUERY_LENGTH]


_EXPAND_SQL = """
SELECT q.pos, q.word, (known.word IS NOT NULL) AS is_known, near.word
  FROM unnest(%s::text[]) WITH ORDINALITY AS q(word, pos)
  LEFT JOIN catalog_search_word known ON known.word = q.word
  LEFT JOIN LATERAL (
        SELECT w.word FROM catalog_search_word w
         WHERE w.word %% q.word AND w.word <> q.word
           AND (known.word IS NULL OR similarity(w.word, q.word) >= %s)
         ORDER BY similarity(w.word, q.word) DESC, w.word
         LIMIT %s
  ) near ON TRUE
 ORDER BY q.pos, similarity(near.word, q.word) DESC NULLS LAST
"""


def expand_query(text: str) -> str | None:
    """A raw tsquery for the normalized query, unknown words widened to near known words and
    known words to their close spelling variants ("sambal" -> sambal | sambel).

    One small query on the lexicon. None when the text has no searchable word.
    """
    words = list(dict.fromkeys(re.findall(r"[a-z0-9]+", text)))[:MAX_QUERY_WORDS]
    if not words:
        return None
    groups: dict[int, list[str]] = {}
    with connection.cursor() as cursor:
        cursor.execute(_EXPAND_SQL, [words, KNOWN_WORD_SIMILARITY, CORRECTIONS_PER_WORD])
        for pos, word, _is_known, near in cursor.fetchall():
            group = groups.setdefault(pos, [word])
            if near and near not in group:
                group.append(near)
    # Words are [a-z0-9]+ only, so quoting them is safe; to_tsquery stems each one.
    return " & ".join("(" + " | ".join(f"'{w}'" for w in group) + ")" for _pos, group in sorted(groups.items()))


def _as_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def first_image_prefetch() -> Prefetch:
    return Prefetch("images", queryset=ProductImage.objects.order_by("position", "created_at"))


def product_search(
    *,
    query: str | None = None,
    category: str | None = None,
    store: str | None = None,
    min_price: int | None = None,
    max_price: int | None = None,
    sort: str = Sort.RELEVANCE,
) -> QuerySet[Product]:
    """Public products matching the filters, ordered by `sort`.

    `category` and `store` take a slug or a UUID. Every row carries `store` and
    `category` (select_related) and its images (one prefetch query), so evaluating a
    page costs a fixed number of queries (count, page, images). With a query each row
    has `relevance`, and building the QuerySet runs one lexicon query (expand_query).
    """
    qs = (
        Product.objects.public()
        .select_related("store", "category")
        .prefetch_related(first_image_prefetch())
        .defer("search_vector", "store__description", "category__icon")
    )
    if category:
        category_id = _as_uuid(category)
        qs = qs.filter(category_id=category_id) if category_id else qs.filter(category__slug=category)
    if store:
        store_id = _as_uuid(store)
        qs = qs.filter(store_id=store_id) if store_id else qs.filter(store__slug=store)
    if min_price is not None:
        qs = qs.filter(price__gte=min_price)
    if max_price is not None:
        qs = qs.filter(price__lte=max_price)

    text = normalize_query(query)
    if text:
        raw_tsquery = expand_query(text)
        if raw_tsquery is None:
            return qs.none()
        tsquery = SearchQuery(raw_tsquery, config=SEARCH_CONFIG, search_type="raw")
        qs = qs.filter(search_vector=tsquery).annotate(relevance=SearchRank(F("search_vector"), tsquery))

    if sort == Sort.NEWEST:
        return qs.order_by("-created_at", "-id")
    if sort == Sort.PRICE_ASC:
        return qs.order_by("price", "-created_at", "-id")
    if sort == Sort.PRICE_DESC:
        return qs.order_by("-price", "-created_at", "-id")
    if text:
        return qs.order_by("-relevance", "-created_at", "-id")
    # Relevance without a query: featured first, then newest.
    return qs.order_by("-featured", "-created_at", "-id")
