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

Before that, `parse_query` reads what buyers type besides product words (measured by
bench/relevance.py): price phrases ("di bawah 100 ribu", "max 50rb", "50 ribuan") become
price bounds, "murah" asks for the cheapest first, filler words ("di", "dan") are dropped,
and ALIASES add the catalogue word for English and regional spellings ("coffee" -> kopi,
"kunir" -> kunyit, "gula jawa" -> gula aren). A query that names a category ("kerajinan",
"oleh oleh") answers with that category's listing. Ranking puts, in order: products of a
store whose name has every query word, products matching the query as typed (not only
through a trigram neighbour: "wayang" before "layang"), then ts_rank.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection, connections
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Prefetch, Q, QuerySet, Window
from django.db.models.functions import Coalesce
from django.db.models.query import ModelIterable

from catalog.models import Category, Product, ProductImage, ProductQuerySet
from stores.models import Store
from tokoblitar.api.pagination import WINDOW_TOTAL

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
# Public product lists serve the first RESULT_WINDOW results of any search or listing (like
# Elasticsearch's max_result_window, or the marketplaces' last page): deeper pages are refused
# and a larger total is reported as "1,000+". Relevance is ranked within a candidate window of
# the same size per source, so ranking costs the same at 100k or 1M products (bench/scale.py):
# ranking every match of "keripik" (75,000 rows at 1M) took 400 ms, counting them 450 ms.
RESULT_WINDOW = 1000
# A search sorted by price or date over a broad word first walks the sort's index for at most
# this many rows (filters applied, words tested per row): when they hold the page, it is the
# exact answer without reading every match (bench/scale.py).
SORTED_WALK_ROWS = 2000

# Words that say nothing about the product (dropped once price phrases are taken out).
STOPWORDS = frozenset(
    {"di", "dan", "yang", "untuk", "dengan", "ke", "dari", "atau", "buat", "jual", "harga", "rp", "rupiah", "ribu"}
    | {"ribuan", "rb"}
    | {"the", "for", "with", "and", "of", "a", "an"}
)
# Words asking for the cheap end: dropped from the text, cheapest results first.
CHEAP_WORDS = frozenset({"murah", "termurah", "murmer", "cheap", "cheapest"})
# Buyer spellings -> catalogue words. A key is a phrase of normalized words; its value has
# the same number of words, each added as an alternative of the word at the same place
# ("gula jawa" -> gula (jawa | aren)). Phrases give context where a lone word would be
# wrong ("kulit" means rambak only after "krupuk"). Trigram correction (the lexicon) already
# covers one-letter typos; these are the spellings it cannot reach.
ALIASES: dict[str, str] = {
    # Regional and slang spellings (Javanese, Blitar)
    "kripik": "keripik",
    "krupuk": "kerupuk",
    "sambel": "sambal",
    "pecal": "pecel",
    "kunir": "kunyit",
    "asem": "asam",
    "kembang": "bunga",
    "item": "hitam",
    "sendal": "sandal",
    "cabe": "cabai",
    "lombok": "cabai",
    "sirop": "sirup",
    "layangan": "layang",
    "tiker": "tikar",
    "telo": "singkong",
    "gedang": "pisang",
    "gethuk": "getuk",
    "gula jawa": "gula aren",
    "gula merah": "gula aren",
    "krupuk kulit": "krupuk rambak",
    "kerupuk kulit": "kerupuk rambak",
    # English words mixed into Indonesian queries
    "coffee": "kopi",
    "beans": "biji",
    "bean": "biji",
    "honey": "madu",
    "forest": "hutan",
    "shirt": "kemeja",
    "shirts": "kemeja",
    "dress": "daster",
    "chips": "keripik",
    "crackers": "kerupuk",
    "cassava": "singkong",
    "banana": "pisang",
    "tempeh": "tempe",
    "spicy": "pedas",
    "sweet": "manis",
    "salty": "asin",
    "cheese": "keju",
    "sandals": "sandal",
    "leather": "kulit",
    "rice": "beras",
    "organic": "organik",
    "soap": "sabun",
    "bamboo": "bambu",
    "lamp": "lampu",
    "wooden": "kayu",
    "wood": "kayu",
    "toys": "mainan",
    "toy": "mainan",
    "kite": "layang",
    "bag": "tas",
    "bags": "tas",
    "woven": "anyaman",
    "carving": "ukiran",
    "oil": "minyak",
    "coconut": "kelapa",
    "sugar": "gula",
    "palm": "aren",
    "sauce": "sambal",
    "peanut": "pecel",
    "design": "desain",
    "seeds": "bibit",
    "chili": "cabai",
    "chilli": "cabai",
    "fertilizer": "pupuk",
    "compost": "kompos",
    "broom": "sapu",
    "mat": "tikar",
    "fan": "kipas",
    "puppet": "wayang",
    "tailor": "jahit",
    "black": "hitam",
    "red": "merah",
    "green": "hijau",
    "chocolate": "coklat",
    "vase": "vas",
    "flower": "bunga",
    "pottery": "gerabah",
    "syrup": "sirup",
    "starfruit": "belimbing",
    "turmeric": "kunyit",
    "tamarind": "asam",
    "scrub": "lulur",
    "cloth": "kain",
    "fabric": "kain",
}

_AMOUNT = r"(?:rp\.?\s*)?(\d+(?:[.,]\d+)*)\s*(rb|ribu|k|jt|juta)?(?![a-z0-9])"
_MAX_PRICE = re.compile(
    r"(?<![a-z0-9])(?:di\s*bawah|kurang\s+dari|maks(?:imal|imum)?|max(?:imal|imum)?|under|below|<=?)\s*" + _AMOUNT
)
_MIN_PRICE = re.compile(r"(?<![a-z0-9])(?:di\s*atas|lebih\s+dari|min(?:imal|imum)?|above|over|>=?)\s*" + _AMOUNT)
# "50 ribuan" = about 50 thousand: within 20% either way.
_AROUND_PRICE = re.compile(r"(?<![a-z0-9])(?:rp\.?\s*)?(\d+(?:[.,]\d+)*)\s*(rb|ribu|k|jt|juta)an(?![a-z0-9])")


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
        # The relevance window (`_candidates`) takes the first matches of an unordered scan.
        # A synchronized sequential scan starts where another session's scan of the same
        # table is, so the window, and the pages cut from it, would change from one request
        # to the next; from the table's first block they stay put while the rows do.
        cursor.execute("SET synchronize_seqscans = off")


def normalize_query(query: str | None) -> str:
    """Lower-case, accents folded, whitespace collapsed, length capped (like the lexicon words)."""
    if not query:
        return ""
    folded = unicodedata.normalize("NFKD", query)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", folded).strip().lower()[:MAX_QUERY_LENGTH]


@dataclass(frozen=True)
class ParsedQuery:
    """What a normalized query asks for: product words, price bounds (int rupiah) and "cheap first"."""

    words: list[str] = field(default_factory=list)
    min_price: int | None = None
    max_price: int | None = None
    cheap: bool = False


def _rupiah(number: str, unit: str | None) -> int | None:
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", number):  # 100.000 / 1,500,000
        value = float(re.sub(r"[.,]", "", number))
    else:
        try:
            value = float(number.replace(",", "."))  # 1,5 juta
        except ValueError:
            return None
    if unit in ("jt", "juta"):
        value *= 1_000_000
    elif unit in ("rb", "ribu", "k") or value < 1000:  # nothing costs under Rp 1.000: "di bawah 100" is 100 ribu
        value *= 1000
    return int(min(value, 10**12))


def parse_query(text: str) -> ParsedQuery:
    """Split a normalized query into product words and price intent.

    "batik di bawah 100 ribu" -> words [batik], max_price 100000; "kopi murah" -> [kopi],
    cheap; "kopi bubuk 50 ribuan" -> [kopi, bubuk], 40000..60000. Words are unique,
    [a-z0-9]+, without STOPWORDS, at most MAX_QUERY_WORDS.
    """
    min_price = max_price = None
    for regex, bound in ((_MAX_PRICE, "max"), (_MIN_PRICE, "min"), (_AROUND_PRICE, "around")):
        match = regex.search(text)
        if not match:
            continue
        amount = _rupiah(match.group(1), match.group(2))
        if amount is None:
            continue
        text = text[: match.start()] + " " + text[match.end() :]
        if bound == "max":
            max_price = amount
        elif bound == "min":
            min_price = amount
        else:
            min_price, max_price = int(amount * 0.8), int(amount * 1.2)
    # "oleh2", "layang2": the written shorthand of a reduplicated (plural) word.
    text = re.sub(r"(?<![a-z0-9])([a-z]{2,})2(?![a-z0-9])", r"\1", text)
    words = [w for w in dict.fromkeys(re.findall(r"[a-z0-9]+", text)) if w not in STOPWORDS]
    cheap = any(w in CHEAP_WORDS for w in words)
    words = [w for w in words if w not in CHEAP_WORDS][:MAX_QUERY_WORDS]
    return ParsedQuery(words=words, min_price=min_price, max_price=max_price, cheap=cheap)


def _aliases(words: list[str]) -> dict[int, list[str]]:
    """Alternative catalogue words per word position (0-based) from ALIASES."""
    extra: dict[int, list[str]] = {}
    for key, value in ALIASES.items():
        key_words, targets = key.split(), value.split()
        n = len(key_words)
        for start in range(len(words) - n + 1):
            if words[start : start + n] == key_words:
                for offset, target in enumerate(targets):
                    if target != words[start + offset]:
                        extra.setdefault(start + offset, []).append(target)
    return extra


# One round trip: each query word with whether it is a known word and its nearest known
# words; then the categories the whole query names (rows with pos 0).
_EXPAND_SQL = """
SELECT * FROM (
    SELECT q.pos, q.word, (known.word IS NOT NULL) AS is_known, near.word AS near,
           similarity(near.word, q.word) AS sim, NULL::uuid AS category_id
      FROM unnest(%(words)s::text[]) WITH ORDINALITY AS q(word, pos)
      LEFT JOIN catalog_search_word known ON known.word = q.word
      LEFT JOIN LATERAL (
            SELECT w.word FROM catalog_search_word w
             WHERE w.word %% q.word AND w.word <> q.word
               -- Known words only to close variants, and never short ones: "pak" -> "paket"
               -- is noise that multiplies the rows to rank.
               AND (known.word IS NULL
                    OR (length(q.word) > 3 AND similarity(w.word, q.word) >= %(known_similarity)s))
             ORDER BY similarity(w.word, q.word) DESC, w.word
             LIMIT %(corrections)s
      ) near ON TRUE
    UNION ALL
    -- A category is named when every query word is a word of its name/slug, and the query
    -- either covers the whole name ("rumah tangga", "kerajinan") or has no product word
    -- ("oleh oleh"): "batik" alone stays a product word, not the "Batik & Tenun" aisle.
    SELECT 0, NULL, FALSE, NULL, NULL, c.id
      FROM catalog_category c
     CROSS JOIN LATERAL (
            SELECT array_remove(regexp_split_to_array(lower(unaccent(c.name || ' ' || c.slug)), '[^a-z0-9]+'), '')
                   AS words
     ) cw
     WHERE %(words)s::text[] <@ cw.words
       AND (cw.words <@ %(words)s::text[]
            OR NOT EXISTS (SELECT 1 FROM catalog_search_word k WHERE k.word = ANY(%(words)s::text[])))
) rows
ORDER BY pos, sim DESC NULLS LAST
"""


@dataclass(frozen=True)
class Expansion:
    """Raw tsqueries for a query: `wide` (typo neighbours included) finds, `strict` (the words
    as typed and their aliases; unknown words keep their neighbours) ranks; `store` asks for
    every word in the store name (weight B); `full` has every word, also those that cannot
    filter (see _expand); `name` is `strict` in product names only (weight A);
    `category_ids` are the categories the query names."""

    wide: str
    strict: str
    store: str
    full: str
    name: str
    category_ids: list[uuid.UUID]


def _expand(words: list[str]) -> Expansion | None:
    if not words:
        return None
    aliases = _aliases(words)
    wide: dict[int, list[str]] = {}
    strict: dict[int, list[str]] = {}
    known: dict[int, bool] = {}
    categories: list[uuid.UUID] = []
    with connection.cursor() as cursor:
        cursor.execute(
            _EXPAND_SQL,
            {"words": words, "known_similarity": KNOWN_WORD_SIMILARITY, "corrections": CORRECTIONS_PER_WORD},
        )
        for pos, word, is_known, near, _sim, category_id in cursor.fetchall():
            if category_id is not None:
                categories.append(category_id)
                continue
            if pos not in wide:
                wide[pos] = [word, *aliases.get(pos - 1, [])]
                strict[pos] = list(wide[pos])
                known[pos] = is_known
            if near and near not in wide[pos]:
                wide[pos].append(near)
                if not is_known:
                    strict[pos].append(near)

    # Words are [a-z0-9]+ only, so quoting them is safe; to_tsquery stems each one.
    def render(groups: dict[int, list[str]], weight: str = "") -> str:
        return " & ".join(
            "(" + " | ".join(f"'{w}'{weight}" for w in group) + ")" for _pos, group in sorted(groups.items())
        )

    # A word that is in no product or store name, near none and has no alias can only be in
    # a description ("kemeja batik pria", "tas rotan"): it ranks instead of filtering, so one
    # unknown word does not empty the answer. With no other word, it filters ("xyzzy").
    required = {pos: group for pos, group in wide.items() if known[pos] or len(group) > 1} or wide
    return Expansion(
        wide=render(required),
        strict=render({pos: strict[pos] for pos in required}),
        store=render(required, ":B"),
        full=render(wide),
        name=render({pos: strict[pos] for pos in required}, ":A"),
        category_ids=categories,
    )


def expand_query(text: str) -> str | None:
    """A raw tsquery for the normalized query, unknown words widened to near known words,
    known words to their close spelling variants ("sambal" -> sambal | sambel) and every
    word to its ALIASES ("coffee" -> coffee | kopi).

    One small query on the lexicon. None when the text has no searchable word.
    """
    expansion = _expand(parse_query(text).words)
    return expansion.wide if expansion else None


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
    `category` (select_related) and its images (prefetched), so evaluating a page costs a
    fixed number of queries. With a query each row has `relevance` (unless the query names
    a category: then that category's listing), building the QuerySet runs one lexicon query
    (expand_query), and a slice of it is read from the search index (TextSearchQuerySet).
    Price words in the query ("di bawah 100 ribu") narrow `min_price`/`max_price` (int
    rupiah), never widen them.
    """
    text = normalize_query(query)
    parsed = parse_query(text) if text else ParsedQuery()
    # Price words in the query narrow the explicit bounds, never widen them.
    if parsed.min_price is not None:
        min_price = max(min_price or 0, parsed.min_price)
    if parsed.max_price is not None:
        max_price = parsed.max_price if max_price is None else min(max_price, parsed.max_price)
    expansion = _expand(parsed.words)
    filters = {"category": category, "store": store, "min_price": min_price, "max_price": max_price}
    if expansion is None or expansion.category_ids:
        return _reference_search(text, parsed, expansion, filters, sort)
    plan = _SearchPlan(
        expansion=expansion,
        tie_breakers=_tie_breakers(parsed, expansion),
        sort=sort if sort in (Sort.NEWEST, Sort.PRICE_ASC, Sort.PRICE_DESC) else ("cheap" if parsed.cheap else sort),
        **filters,
    )
    return TextSearchQuerySet.lazy(plan, partial(_reference_search, text, parsed, expansion, filters, sort))


def _tie_breakers(parsed: ParsedQuery, expansion: Expansion) -> tuple[str, ...]:
    """Names of the ranking's tie-breakers (each a `_matches` term), each only when it can differ
    between rows (each costs a per-row test)."""
    names = []
    if len(parsed.words) > 1:
        names.append("store_match")
    if expansion.full != expansion.wide:
        names.append("all_words")
    if expansion.strict != expansion.wide:
        names.append("typed_match")
    return tuple(names)


def _reference_search(
    text: str, parsed: ParsedQuery, expansion: Expansion | None, filters: dict, sort: str
) -> QuerySet[Product]:
    """product_search as one ORM QuerySet over catalog_product (see product_search)."""
    qs = (
        Product.objects.public()
        .select_related("store", "category")
        .prefetch_related(first_image_prefetch())
        .defer("search_vector", "store__description", "category__icon")
    )
    category, store = filters["category"], filters["store"]
    if category:
        category_id = _as_uuid(category)
        qs = qs.filter(category_id=category_id) if category_id else qs.filter(category__slug=category)
    if store:
        store_id = _as_uuid(store)
        qs = qs.filter(store_id=store_id) if store_id else qs.filter(store__slug=store)
    if filters["min_price"] is not None:
        qs = qs.filter(price__gte=filters["min_price"])
    if filters["max_price"] is not None:
        qs = qs.filter(price__lte=filters["max_price"])

    ranking: list = []
    ranked = False  # ordered by relevance (ts_rank) when the sort asks for it
    if expansion is not None and expansion.category_ids:
        # The query names a category ("kerajinan", "oleh oleh"): that aisle, like its
        # listing. Not a text match: "oleh-oleh" is in every description.
        qs = qs.filter(category_id__in=expansion.category_ids)
    elif expansion is not None:
        tsquery = SearchQuery(expansion.wide, config=SEARCH_CONFIG, search_type="raw")
        matches = qs.filter(search_vector=tsquery)
        if sort == Sort.RELEVANCE and not parsed.cheap:
            # The window's ids only: testing the tsquery again on the outer rows lets the
            # planner, which underestimates ANDed words that always come together ("madu
            # hutan"), scan every match instead of fetching the window's rows by key.
            qs = qs.filter(pk__in=_candidates(qs, matches, expansion))
            # The window's size is the capped total: the page query tells it (paginate reads
            # it) and no COUNT runs.
            qs = qs.annotate(**{WINDOW_TOTAL: Window(Count("pk"))})
        else:
            qs = matches
        qs = qs.annotate(relevance=SearchRank(F("search_vector"), tsquery))
        ranked = True
        terms = {"store_match": expansion.store, "all_words": expansion.full, "typed_match": expansion.strict}
        ranking = [_matches(name, terms[name]) for name in _tie_breakers(parsed, expansion)]
    elif text and not (parsed.cheap or parsed.min_price is not None or parsed.max_price is not None):
        return qs.none()  # nothing searchable in the text
    for name, condition in ranking:
        qs = qs.annotate(**{name: ExpressionWrapper(condition, output_field=BooleanField())})
    tie_breakers = [f"-{name}" for name, _condition in ranking]

    if sort == Sort.NEWEST:
        return qs.order_by("-created_at", "-id")
    if sort == Sort.PRICE_ASC:
        return qs.order_by("price", "-created_at", "-id")
    if sort == Sort.PRICE_DESC:
        return qs.order_by("-price", "-created_at", "-id")
    if parsed.cheap:
        # "kopi murah": the products matching as typed, cheapest first. Coalesce hides the
        # price index from the planner: walking it in price order while testing the tsquery
        # row by row reads thousands of cheaper non-matching rows (~90 ms at 100k) where
        # sorting the few thousand matches costs ~10 ms.
        typed = [t for t in tie_breakers if t != "-store_match"]
        return qs.order_by(*typed, Coalesce("price", 0), "-created_at", "-id")
    if ranked:
        return qs.order_by(*tie_breakers, "-relevance", "-created_at", "-id")
    # Relevance without a query (or a category named): featured first, then newest.
    return qs.order_by("-featured", "-created_at", "-id")


def _candidates(base: QuerySet[Product], matches: QuerySet[Product], expansion: Expansion) -> QuerySet:
    """The ids relevance ranks: RESULT_WINDOW + 1 matches (all of them when fewer), those whose
    name has the words as typed (weight A) first, then the others (typo neighbours, store
    names, descriptions).

    `(name matches LIMIT n) UNION ALL (other matches LIMIT n) LIMIT n`: Postgres reads the
    second part only when the first has fewer than n rows, and stops at n rows whatever the
    number of matches. The parts cannot share a row, so the window holds exactly
    min(matches, n) rows: its size is the capped total (WINDOW_TOTAL), and with fewer
    matches than n the ranking is exact. Name matches first keep the strong matches in the
    window when a word is common in descriptions ("kanigoro").
    """
    size = RESULT_WINDOW + 1
    name = SearchQuery(expansion.name, config=SEARCH_CONFIG, search_type="raw")
    # The name tsquery implies `wide`: testing it too would cost a second index pass.
    strong = base.filter(search_vector=name).order_by().values("pk")[:size]
    others = matches.exclude(search_vector=name).order_by().values("pk")[:size]
    return strong.union(others, all=True)[:size]


def _matches(name: str, raw_tsquery: str) -> tuple[str, Q]:
    return name, Q(search_vector=SearchQuery(raw_tsquery, config=SEARCH_CONFIG, search_type="raw"))


# --- Pages of a text search, read from the search index table -----------------------------
#
# The QuerySet product_search returns is the reference form of a search (filters, ranking and
# order in the ORM, over catalog_product). A page of it (a slice: paginate, PageWindow,
# .first()) is read by one hand-written statement over `catalog_search_entry` instead, which
# ranks the window in the same pass that finds it and joins products, stores and categories
# for the page's rows only: at 1M products "batik" went from 27 to 10 ms of SQL. Both forms
# order by the same keys (tie-breakers, ts_rank, created_at, id), and a test holds their
# pages equal. Anything else (filter(), values(), count(), an unsliced list) runs the reference.

_ENTRY = "catalog_search_entry"


@dataclass(frozen=True)
class _SearchPlan:
    """What a text search's page is read with: the expanded tsqueries, the ranking tie-breakers
    in order (names of `_matches` terms), the order (a Sort value or "cheap") and the filters
    as product_search received them (slug or UUID; prices in int rupiah)."""

    expansion: Expansion
    tie_breakers: tuple[str, ...]
    sort: str
    category: str | None
    store: str | None
    min_price: int | None
    max_price: int | None

    def _tsquery(self, key: str) -> str:
        return f"to_tsquery('{SEARCH_CONFIG}', %({key})s)"

    def _params(self) -> dict:
        e = self.expansion
        return {"wide": e.wide, "strict": e.strict, "store": e.store, "full": e.full, "name": e.name}

    @staticmethod
    def _id_or_slug(params: dict, alias: str, column: str, value: str, table: str) -> str:
        """`alias.column` equal to a UUID, or to the id of the `table` row with that slug (as
        product_search takes category and store)."""
        row_id = _as_uuid(value)
        if row_id:
            params[column] = row_id
            return f"{alias}.{column} = %({column})s"
        params[f"{column}_slug"] = value
        return f"{alias}.{column} IN (SELECT id FROM {table} WHERE slug = %({column}_slug)s)"  # noqa: S608 - constant names; the slug is a parameter

    def _filters(self, params: dict, alias: str = "e") -> str:
        """SQL for the filters (" AND ..." terms on `alias`), their values added to `params`."""
        clauses = []
        for column, value, table in (
            ("category_id", self.category, "catalog_category"),
            ("store_id", self.store, "stores_store"),
        ):
            if value:
                clauses.append(self._id_or_slug(params, alias, column, value, table))
        if self.min_price is not None:
            params["min_price"] = self.min_price
            clauses.append(f"{alias}.price >= %(min_price)s")
        if self.max_price is not None:
            params["max_price"] = self.max_price
            clauses.append(f"{alias}.price <= %(max_price)s")
        return "".join(f" AND {clause}" for clause in clauses)

    def _tie_breakers(self, alias: str, names: tuple[str, ...]) -> list[str]:
        key = {"store_match": "store", "all_words": "full", "typed_match": "strict"}
        return [f"({alias}.document @@ {self._tsquery(key[name])}) DESC" for name in names]

    def _order(self, alias: str, *, hide_index: bool = False) -> str:
        """ORDER BY terms for the plan's sort over `alias` (which has document, price,
        created_at, product_id). `hide_index` keeps the planner off the sort's index (the same
        order, as expressions), for reading every match and sorting them."""
        price = f"({alias}.price + 0)" if hide_index else f"{alias}.price"
        created = f"({alias}.created_at + interval '0')" if hide_index else f"{alias}.created_at"
        last = [f"{created} DESC", f"{alias}.product_id DESC"]
        if self.sort == Sort.NEWEST:
            return ", ".join(last)
        if self.sort == Sort.PRICE_ASC:
            return ", ".join([price, *last])
        if self.sort == Sort.PRICE_DESC:
            return ", ".join([f"{price} DESC", *last])
        if self.sort == "cheap":
            typed = tuple(name for name in self.tie_breakers if name != "store_match")
            return ", ".join([*self._tie_breakers(alias, typed), f"{alias}.price", *last])
        return ", ".join(
            [*self._tie_breakers(alias, self.tie_breakers), f"ts_rank({alias}.document, {self._tsquery('wide')}) DESC"]
            + [f"{alias}.created_at DESC", f"{alias}.product_id DESC"]
        )

    def page(self, cursor, offset: int, limit: int) -> list[tuple[uuid.UUID, int, float]]:
        """[(product id, total, relevance)] for rows offset..offset+limit of the search, in order.

        `total` is the search's size capped at RESULT_WINDOW + 1 (what paginate reports as
        "1,000+"); relevance is ts_rank against the `wide` tsquery, as in the reference form.
        One statement in relevance order; in a sort's order, an index walk first when the
        search is broad (see SORTED_WALK_ROWS), then, when the walk could not fill the page,
        every match read and sorted.
        """
        params = {**self._params(), "size": RESULT_WINDOW + 1, "offset": offset, "limit": limit}
        filters = self._filters(params)
        wide, name = self._tsquery("wide"), self._tsquery("name")
        rank = f"ts_rank(w.document, {wide})"
        if self.sort == Sort.RELEVANCE:
            # The window of _candidates: name matches as typed first, then the others; each part
            # stops at `size` rows, the second runs only when names do not fill the window.
            cursor.execute(
                f"""
                WITH win AS (
                    (SELECT e.product_id, e.created_at, e.document FROM {_ENTRY} e
                      WHERE e.document @@ {name}{filters} LIMIT %(size)s)
                    UNION ALL
                    (SELECT e.product_id, e.created_at, e.document FROM {_ENTRY} e
                      WHERE e.document @@ {wide} AND NOT e.document @@ {name}{filters} LIMIT %(size)s)
                    LIMIT %(size)s
                )
                SELECT w.product_id, count(*) OVER (), {rank} FROM win w
                 ORDER BY {self._order("w")} OFFSET %(offset)s LIMIT %(limit)s
                """,  # noqa: S608 - constant SQL fragments; every value is a query parameter
                params,
            )
            return cursor.fetchall()
        total = (
            f"(SELECT count(*) FROM (SELECT 1 FROM {_ENTRY} e WHERE e.document @@ {wide}{filters} LIMIT %(size)s) c)"  # noqa: S608 - values are parameters
        )
        # The page's ids are picked first, then its rows read again and ranked: carrying the
        # document and its ts_rank through the sort of every match of a broad word ("kopi":
        # 48,000 rows at 1M) cost more than the page's 20 lookups.
        ranked = (
            f"SELECT e.product_id, x.total, ts_rank(e.document, {wide}) FROM ({{page}}) x"  # noqa: S608
            f" JOIN {_ENTRY} e ON e.product_id = x.product_id ORDER BY {self._order('e')}"
        )
        columns = f"w.product_id, {total} AS total"
        if self.sort != "cheap":
            # The first SORTED_WALK_ROWS rows in the sort's order, tested for the words: when
            # they hold the whole page, no later row can be on it, so the page is exact.
            params["walk"] = SORTED_WALK_ROWS
            walk = f"""
                SELECT {columns} FROM (
                    SELECT e.product_id, e.price, e.created_at, e.document FROM {_ENTRY} e
                     WHERE TRUE{filters} ORDER BY {self._order("e")} LIMIT %(walk)s
                ) w
                 WHERE w.document @@ {wide}
                 ORDER BY {self._order("w")} OFFSET %(offset)s LIMIT %(limit)s
            """  # noqa: S608 - constant SQL fragments; every value is a query parameter
            cursor.execute(ranked.format(page=walk), params)
            rows = cursor.fetchall()
            if len(rows) == limit or (rows and rows[0][1] <= offset + len(rows)):
                return rows
        # Every match, sorted (the walk ran past the page's last match, or the order begins with
        # tie-breakers). The sort's index is hidden: walking it further could read the table.
        every = f"""
            SELECT {columns} FROM {_ENTRY} w
             WHERE w.document @@ {wide}{self._filters(params, "w")}
             ORDER BY {self._order("w", hide_index=True)} OFFSET %(offset)s LIMIT %(limit)s
        """  # noqa: S608 - constant SQL fragments; every value is a query parameter
        cursor.execute(ranked.format(page=every), params)
        return cursor.fetchall()


class _SearchPageIterable(ModelIterable):
    """Products of a TextSearchQuerySet slice: the page's ids from the search index (one
    statement, two or three for a sorted search), then those products with their store and
    category (one statement), in order, each with `relevance` and WINDOW_TOTAL set. Without a
    plan, Django's ModelIterable."""

    def __iter__(self):
        queryset = self.queryset
        plan: _SearchPlan | None = getattr(queryset, "_search_plan", None)
        offset, end = queryset.page_bounds() if plan is not None else (0, None)
        if end is None:
            yield from super().__iter__()
            return
        limit = end - offset
        if limit <= 0:
            return
        with connections[queryset.db].cursor() as cursor:
            rows = plan.page(cursor, offset, limit)
            products = _page_products(cursor, queryset.db, [row[0] for row in rows]) if rows else {}
        for product_id, total, relevance in rows:
            product = products.get(product_id)
            if product is None:  # deleted between the two statements
                continue
            product.relevance = relevance
            setattr(product, WINDOW_TOTAL, total)
            yield product


# The columns a page's products are read with: product_search's select_related("store",
# "category") and defer("search_vector", "store__description", "category__icon").
_PAGE_MODELS = (
    ("p", Product, {"search_vector"}),
    ("s", Store, {"description"}),
    ("c", Category, {"icon"}),
)


def _page_products(cursor, db: str, ids: list[uuid.UUID]) -> dict[uuid.UUID, Product]:
    """{id: Product} for a page's ids, each with its store and category cached, as
    `Product.objects.select_related(...).defer(...).in_bulk(ids)` would give, from one
    hand-written statement: the ORM's query building and row handling cost 5-8 ms a page,
    the statement under 1 ms (bench/RESULTS.md, "A million products")."""
    fields = [
        (alias, model, [f for f in model._meta.concrete_fields if f.name not in skip])
        for alias, model, skip in _PAGE_MODELS
    ]
    columns = ", ".join(f'{alias}."{f.column}"' for alias, _model, model_fields in fields for f in model_fields)
    cursor.execute(
        f"""
        SELECT {columns} FROM catalog_product p
          JOIN stores_store s ON s.id = p.store_id
          LEFT JOIN catalog_category c ON c.id = p.category_id
         WHERE p.id = ANY(%s)
        """,  # noqa: S608 - column names from the models; the ids are a parameter
        [ids],
    )
    products: dict[uuid.UUID, Product] = {}
    for row in cursor.fetchall():
        start = 0
        objects = []
        for _alias, model, model_fields in fields:
            values = row[start : start + len(model_fields)]
            start += len(model_fields)
            # A product without a category has a row of NULLs for it (LEFT JOIN).
            present = values[model_fields.index(model._meta.pk)] is not None
            objects.append(model.from_db(db, [f.attname for f in model_fields], values) if present else None)
        product, store, category = objects
        Product.store.field.set_cached_value(product, store)
        Product.category.field.set_cached_value(product, category)
        products[product.pk] = product
    _attach_images(cursor, db, products)
    return products


def _attach_images(cursor, db: str, products: dict[uuid.UUID, Product]) -> None:
    """Each product's images, in first_image_prefetch's order, in its prefetch cache (so
    `product.images.all()` runs no query and the QuerySet's own prefetch skips them)."""
    fields = list(ProductImage._meta.concrete_fields)
    columns = ", ".join(f'i."{f.column}"' for f in fields)
    cursor.execute(
        f"SELECT {columns} FROM catalog_productimage i WHERE i.product_id = ANY(%s) ORDER BY i.position, i.created_at",  # noqa: S608 - column names from the model
        [list(products)],
    )
    names = [f.attname for f in fields]
    by_product: dict[uuid.UUID, list[ProductImage]] = {pk: [] for pk in products}
    for row in cursor.fetchall():
        image = ProductImage.from_db(db, names, row)
        ProductImage.product.field.set_cached_value(image, products[image.product_id])
        by_product[image.product_id].append(image)
    cache_name = Product.images.field.remote_field.cache_name
    for pk, images in by_product.items():
        # As Django's prefetch leaves it: the product's own images QuerySet, already evaluated
        # (a further .filter() on it still narrows this product's images only).
        # The filter is deferred as Django's related managers defer theirs (it is built only if
        # the QuerySet is ever re-queried): building it for every product cost 4 ms a page.
        cached = ProductImage.objects.using(db).all()
        cached._defer_next_filter = True
        cached = cached.filter(product_id=pk)
        cached._result_cache, cached._prefetch_done = images, True
        products[pk]._prefetched_objects_cache = {cache_name: cached}


class TextSearchQuerySet(ProductQuerySet):
    """product_search's QuerySet for a text query.

    A slice of it (paginate, PageWindow, first(), repr) is read from the search index
    (_SearchPlan.page), and its rows carry WINDOW_TOTAL, so paginate takes the total from the
    page. Every other use (filter, values, count, exists, an unsliced list) runs the reference
    QuerySet (_reference_search), which is only built then: building it costs ~4 ms of ORM
    work that a page read from the index never needs.
    """

    _search_plan: _SearchPlan | None = None
    _reference: Callable[[], QuerySet[Product]] | None = None
    _bounds: tuple[int, int | None] | None = None  # a slice taken before the reference was built

    @classmethod
    def lazy(cls, plan: _SearchPlan, reference: Callable[[], QuerySet[Product]]) -> TextSearchQuerySet:
        queryset = cls(model=Product)
        queryset._search_plan = plan
        queryset._reference = reference
        queryset._iterable_class = _SearchPageIterable
        return queryset

    @property
    def query(self):
        if self._reference is not None:
            build, self._reference = self._reference, None
            reference = build()
            query = reference.query.chain()
            if self._bounds is not None:
                query.set_limits(*self._bounds)
            self._query = query
            self._prefetch_related_lookups = reference._prefetch_related_lookups
        return QuerySet.query.fget(self)

    @query.setter
    def query(self, value):
        QuerySet.query.fset(self, value)

    @property
    def rows_carry_total(self) -> bool:
        return self._search_plan is not None

    def page_bounds(self) -> tuple[int, int | None]:
        """(offset, end) of this slice; end None when unsliced."""
        if self._reference is not None:
            return self._bounds or (0, None)
        return self.query.low_mark, self.query.high_mark

    def __getitem__(self, k):
        if (
            self._reference is not None
            and self._bounds is None
            and self._result_cache is None
            and isinstance(k, slice)
            and k.step is None
            and (k.start or 0) >= 0
            and (k.stop is None or k.stop >= 0)
        ):
            # A slice before the reference is built stays unbuilt: it is read from the index.
            clone = self.__class__(model=self.model, using=self._db, hints=self._hints)
            clone._search_plan, clone._reference, clone._iterable_class = (
                self._search_plan,
                self._reference,
                self._iterable_class,
            )
            start = k.start or 0
            clone._bounds = (start, max(start, k.stop) if k.stop is not None else None)
            return clone
        result = super().__getitem__(k)
        # Only a slice keeps the plan: any other clone (filter, order_by...) may change the
        # rows or their order, so it falls back to the reference SQL.
        if isinstance(k, slice) and isinstance(result, TextSearchQuerySet):
            result._search_plan = self._search_plan
        return result
