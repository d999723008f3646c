"""Search relevance benchmark (issue 17): `python bench/relevance.py` (or `make bench-relevance`).

1. Uses the benchmark database (EMBEDDED_DB_NAME, default `tokoblitar_bench`) and fills it
   with `seed_bench` (100k products / 500 stores) when missing, like bench/search.py.
2. Judges every labelled query of bench/relevance_queries.py: its predicate is evaluated in
   Python over all public products, which gives the relevant set (no engine involved).
3. Runs the same queries through three engines, in the same process and run:
   - ours: `catalog.search.product_search(query=q)` as the buyer API calls it (relevance
     order), first page of 10 ids;
   - saleor: what Saleor does on Postgres (saleor/product/search.py): a tsvector of the
     product name (weight A) and description (C) in the `simple` configuration, a GIN
     index, every query word AND-ed as a prefix (`word:*`), ordered by ts_rank; no
     stemming, no fuzzy matching. The vector lives in a side table of the bench database
     (`bench_saleor_search`), built once here;
   - ilike: `name ILIKE '%q%'`, newest first (no index: a scan, as a naive shop does).
4. Reports recall@10 (relevant ids in the first 10 / min(10, relevant)), MRR (1/rank of the
   first relevant id in the first 10, else 0), nDCG@10 (binary gains), the share of labelled
   queries answered with nothing, how many "absent" queries were rightly answered with
   nothing, and latency p50/p95 of fetching the first page (timed passes after a warm-up).
5. Writes the "Search relevance" section of bench/RESULTS.md. `--save NAME` keeps the
   figures in var/bench-relevance/NAME.json and `--compare NAME` adds a before/after table.

Options: --products, --stores, --rounds, --no-write, --save, --compare, --show-misses.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("EMBEDDED_DB_NAME", "tokoblitar_bench")
os.environ["PUBLIC_LISTING_CACHE_SECONDS"] = "0"
os.environ["LARGE_TOTAL_CACHE_SECONDS"] = "0"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tokoblitar.settings")

from bench.common import machine_info, now_utc, percentile, write_section  # noqa: E402
from bench.relevance_queries import HISTORY, QUERIES  # noqa: E402

ENGINES = ("ours", "saleor", "ilike")
SAVE_DIR = ROOT / "var" / "bench-relevance"
TOP = 10

_SALEOR_TABLE = """
CREATE TABLE IF NOT EXISTS bench_saleor_search (
    product_id uuid PRIMARY KEY REFERENCES catalog_product(id) ON DELETE CASCADE,
    search_vector tsvector NOT NULL
);
CREATE INDEX IF NOT EXISTS bench_saleor_search_gin ON bench_saleor_search USING gin (search_vector);
"""
_SALEOR_FILL = """
INSERT INTO bench_saleor_search (product_id, search_vector)
SELECT p.id, setweight(to_tsvector('simple', p.name), 'A')
             || setweight(to_tsvector('simple', coalesce(p.description, '')), 'C')
  FROM catalog_product p
ON CONFLICT (product_id) DO UPDATE SET search_vector = EXCLUDED.search_vector
"""
# Public = Product.objects.public(): active, not deleted, in an active store. LIMIT = TOP.
_SALEOR_SQL = """
SELECT p.id FROM catalog_product p
  JOIN stores_store s ON s.id = p.store_id
  JOIN bench_saleor_search v ON v.product_id = p.id
 WHERE p.deleted_at IS NULL AND p.status = 'active' AND s.is_active
   AND v.search_vector @@ to_tsquery('simple', %(q)s)
 ORDER BY ts_rank(v.search_vector, to_tsquery('simple', %(q)s)) DESC, p.created_at DESC, p.id DESC
 LIMIT 10
"""
_ILIKE_SQL = """
SELECT p.id FROM catalog_product p
  JOIN stores_store s ON s.id = p.store_id
 WHERE p.deleted_at IS NULL AND p.status = 'active' AND s.is_active
   AND p.name ILIKE %(q)s
 ORDER BY p.created_at DESC, p.id DESC
 LIMIT 10
"""


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


# --- judging -------------------------------------------------------------------------------


def load_catalogue() -> list[dict]:
    from catalog.management.commands.seed_bench import PRODUCT_KINDS
    from catalog.models import Product

    kinds = sorted((base for base, *_ in PRODUCT_KINDS), key=len, reverse=True)
    rows = Product.objects.public().values_list(
        "id", "name", "description", "price", "store__name", "category__slug", "created_at"
    )
    catalogue = []
    for pid, name, description, price, store, category, created in rows.iterator(chunk_size=5000):
        kind = next((base for base in kinds if name.startswith(base)), None)
        catalogue.append(
            {
                "id": str(pid),
                "kind": kind,
                "name_words": set(words(name)),
                "who_text": " " + " ".join(words(f"{name} {description} {store}")) + " ",
                "store_words": set(words(store)),
                "category": category,
                "price": price,
                "created": created,
            }
        )
    return catalogue


def matches(product: dict, judgement: dict) -> bool:
    if "kind" in judgement and product["kind"] not in judgement["kind"]:
        return False
    if "name" in judgement and not set(judgement["name"]) <= product["name_words"]:
        return False
    if "any_name" in judgement and not set(judgement["any_name"]) & product["name_words"]:
        return False
    if "store" in judgement and not set(judgement["store"]) <= product["store_words"]:
        return False
    if "who" in judgement and f" {judgement['who']} " not in product["who_text"]:
        return False
    if "category" in judgement and product["category"] not in judgement["category"]:
        return False
    if "max_price" in judgement and product["price"] > judgement["max_price"]:
        return False
    if "min_price" in judgement and product["price"] < judgement["min_price"]:
        return False
    return True


def judge(catalogue: list[dict]) -> list[set[str]]:
    """The relevant id set of every query (empty for the "absent" group, asserted non-empty otherwise)."""
    relevant = []
    for group, query, judgement in QUERIES:
        if group == "absent":
            relevant.append(set())
            continue
        hits = [p for p in catalogue if matches(p, judgement)]
        if judgement.get("cheap"):
            cutoff = percentile([p["price"] for p in hits], 25)
            hits = [p for p in hits if p["price"] <= cutoff]
        if not hits:
            raise SystemExit(f"query {query!r} has no relevant product: fix its judgement or the seed")
        relevant.append({p["id"] for p in hits})
    return relevant


# --- engines -------------------------------------------------------------------------------


def ensure_saleor_index() -> float:
    from django.db import connection

    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(_SALEOR_TABLE)
        cursor.execute("SELECT (SELECT count(*) FROM bench_saleor_search) = (SELECT count(*) FROM catalog_product)")
        if not cursor.fetchone()[0]:
            cursor.execute("DELETE FROM bench_saleor_search")
            cursor.execute(_SALEOR_FILL)
            cursor.execute("VACUUM (ANALYZE) bench_saleor_search" if not connection.in_atomic_block else "SELECT 1")
    return time.monotonic() - started


def saleor_tsquery(query: str) -> str | None:
    from catalog.search import normalize_query

    tokens = list(dict.fromkeys(words(normalize_query(query))))
    return " & ".join(f"'{t}':*" for t in tokens) or None


def run_ours(query: str) -> list[str]:
    from catalog.search import product_search

    # A slice of the search, as the API pages it: read from the search index (catalog.search).
    return [str(product.pk) for product in product_search(query=query)[:TOP]]


def run_saleor(query: str) -> list[str]:
    from django.db import connection

    tsquery = saleor_tsquery(query)
    if tsquery is None:
        return []
    with connection.cursor() as cursor:
        cursor.execute(_SALEOR_SQL, {"q": tsquery})
        return [str(row[0]) for row in cursor.fetchall()]


def run_ilike(query: str) -> list[str]:
    from django.db import connection

    pattern = "%" + query.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    with connection.cursor() as cursor:
        cursor.execute(_ILIKE_SQL, {"q": pattern})
        return [str(row[0]) for row in cursor.fetchall()]


RUNNERS = {"ours": run_ours, "saleor": run_saleor, "ilike": run_ilike}


# --- metrics -------------------------------------------------------------------------------


def scores(ranked: list[str], relevant: set[str]) -> tuple[float, float, float]:
    """(recall@10, reciprocal rank, nDCG@10) of one answer; binary relevance."""
    gains = [1 if pid in relevant else 0 for pid in ranked[:TOP]]
    ideal = min(TOP, len(relevant))
    recall = sum(gains) / ideal
    rr = next((1 / (i + 1) for i, g in enumerate(gains) if g), 0.0)
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    idcg = sum(1 / math.log2(i + 2) for i in range(ideal))
    return recall, rr, dcg / idcg


def evaluate(relevant: list[set[str]], rounds: int) -> dict:
    answers: dict[str, list[list[str]]] = {e: [] for e in ENGINES}
    latency: dict[str, list[float]] = {e: [] for e in ENGINES}
    for round_no in range(rounds + 1):  # pass 0 warms caches and is not timed
        for _group, query, _j in QUERIES:
            for engine in ENGINES:
                started = time.perf_counter()
                ranked = RUNNERS[engine](query)
                elapsed = (time.perf_counter() - started) * 1000
                if round_no == 0:
                    answers[engine].append(ranked)
                else:
                    latency[engine].append(elapsed)
    result: dict = {"engines": {}, "groups": {}}
    groups = sorted({g for g, _q, _j in QUERIES if g != "absent"}, key=[g for g, _q, _j in QUERIES].index)
    for engine in ENGINES:
        per_query = []
        per_group: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
        absent_ok = 0
        empty = 0
        for (group, _query, _j), rel, ranked in zip(QUERIES, relevant, answers[engine], strict=True):
            if group == "absent":
                absent_ok += not ranked
                continue
            s = scores(ranked, rel)
            per_query.append(s)
            per_group[group].append(s)
            empty += not ranked
        n = len(per_query)
        result["engines"][engine] = {
            "recall": sum(s[0] for s in per_query) / n,
            "mrr": sum(s[1] for s in per_query) / n,
            "ndcg": sum(s[2] for s in per_query) / n,
            "empty": empty,
            "labelled": n,
            "absent_ok": absent_ok,
            "absent": sum(1 for g, _q, _j in QUERIES if g == "absent"),
            "p50": percentile(latency[engine], 50),
            "p95": percentile(latency[engine], 95),
        }
        result["groups"][engine] = {
            g: (
                len(per_group[g]),
                sum(s[0] for s in per_group[g]) / len(per_group[g]),
                sum(s[1] for s in per_group[g]) / len(per_group[g]),
            )
            for g in groups
        }
        result["misses"] = result.get("misses", {})
        result["misses"][engine] = [
            q
            for (group, q, _j), rel, ranked in zip(QUERIES, relevant, answers[engine], strict=True)
            if group != "absent" and scores(ranked, rel)[1] == 0
        ]
    return result


# --- report --------------------------------------------------------------------------------


def engine_table(result: dict) -> str:
    lines = [
        "| engine | recall@10 | MRR | nDCG@10 | no answer (labelled) | absent answered empty | p50 ms | p95 ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    names = {"ours": "**ours** (`catalog/search.py`)", "saleor": "Saleor-style FTS", "ilike": "`ILIKE '%q%'`"}
    for engine in ENGINES:
        e = result["engines"][engine]
        lines.append(
            f"| {names[engine]} | {e['recall']:.3f} | {e['mrr']:.3f} | {e['ndcg']:.3f} | "
            f"{e['empty']}/{e['labelled']} | {e['absent_ok']}/{e['absent']} | {e['p50']:.1f} | {e['p95']:.1f} |"
        )
    return "\n".join(lines)


def group_table(result: dict) -> str:
    groups = list(result["groups"]["ours"])
    header = "| group (queries) | " + " | ".join(f"{e} recall / MRR" for e in ENGINES) + " |"
    lines = [header, "|---|" + "---|" * len(ENGINES)]
    for g in groups:
        n = result["groups"]["ours"][g][0]
        cells = [f"{result['groups'][e][g][1]:.2f} / {result['groups'][e][g][2]:.2f}" for e in ENGINES]
        lines.append(f"| {g} ({n}) | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def compare_table(before: dict, after: dict) -> str:
    b, a = before["engines"]["ours"], after["engines"]["ours"]
    lines = [
        "| ours | recall@10 | MRR | nDCG@10 | no answer | absent empty | p50 ms | p95 ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label, e in ((f"before ({before['run']})", b), (f"after ({after['run']})", a)):
        lines.append(
            f"| {label} | {e['recall']:.3f} | {e['mrr']:.3f} | {e['ndcg']:.3f} | {e['empty']}/{e['labelled']} | "
            f"{e['absent_ok']}/{e['absent']} | {e['p50']:.1f} | {e['p95']:.1f} |"
        )
    groups = list(after["groups"]["ours"])
    lines += ["", "| group | before recall / MRR | after recall / MRR |", "|---|---|---|"]
    for g in groups:
        bg, ag = before["groups"]["ours"].get(g), after["groups"]["ours"][g]
        before_cell = f"{bg[1]:.2f} / {bg[2]:.2f}" if bg else "—"
        lines.append(f"| {g} | {before_cell} | {ag[1]:.2f} / {ag[2]:.2f} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--stores", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3, help="timed passes over the query set")
    parser.add_argument("--no-write", action="store_true", help="print only, do not touch RESULTS.md")
    parser.add_argument("--save", help="keep the figures as var/bench-relevance/NAME.json")
    parser.add_argument("--compare", help="add a before/after table against var/bench-relevance/NAME.json")
    parser.add_argument("--show-misses", action="store_true", help="print the queries each engine misses")
    args = parser.parse_args()

    load_before = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, skip_checks=True)
    call_command("seed_bench", products=args.products, stores=args.stores, skip_checks=True)
    saleor_seconds = ensure_saleor_index()

    catalogue = load_catalogue()
    relevant = judge(catalogue)
    sizes = sorted(len(r) for r in relevant if r)
    run_at = now_utc()
    result = evaluate(relevant, args.rounds)
    result["run"] = run_at
    if args.show_misses:
        for engine in ENGINES:
            print(f"{engine} misses ({len(result['misses'][engine])}): {result['misses'][engine]}")
    if args.save:
        SAVE_DIR.mkdir(parents=True, exist_ok=True)
        (SAVE_DIR / f"{args.save}.json").write_text(json.dumps(result, indent=1))

    counts = defaultdict(int)
    for group, _q, _j in QUERIES:
        counts[group] += 1
    labelled = len(QUERIES) - counts["absent"]
    command = (
        f".venv/bin/python bench/relevance.py --products {args.products} --stores {args.stores} --rounds {args.rounds}"
    )
    if args.compare:
        command += f" --compare {args.compare}"
    compare = ""
    if args.compare:
        before = json.loads((SAVE_DIR / f"{args.compare}.json").read_text())
        compare = f"""
Before / after the search changes of this issue (ours only; same queries, catalogue and machine; "before" is
`catalog/search.py` as last committed, loaded in place of the new module and run through this same script
with `--save {args.compare}`):

{compare_table(before, result)}
"""
    body = f"""
Run: {run_at} on {machine_info()}; load average before the run {load_before}
(the 2 cores are shared with other work, so latencies are noisy; the engines run interleaved in the same passes).
Command: `make bench-relevance` (= `{command}`); database `{connection.settings_dict["NAME"]}` (embedded PostgreSQL 18),
catalogue from `manage.py seed_bench` ({len(catalogue):,} public products).
Queries: {len(QUERIES)} Indonesian buyer queries in `bench/relevance_queries.py` ({labelled} labelled:
{", ".join(f"{g} {n}" for g, n in counts.items() if g != "absent")}; plus {counts["absent"]} for things not sold).
Each labelled query states a predicate over product fields (kind, name words, store, maker/place, category, price);
the relevant set is that predicate evaluated over every public product
(sizes {sizes[0]:,} to {sizes[-1]:,}, median {sizes[len(sizes) // 2]:,}).
Metrics: recall@10 = relevant ids among the first 10 / min(10, relevant); MRR = 1/rank of the first relevant id
in the first 10 (0 if none); nDCG@10 with binary gains; "no answer" = labelled queries answered with nothing;
"absent answered empty" = queries for things not sold that got no results (right answer).
Latency: fetching the first page of 10 ids in-process over one connection ({args.rounds} timed passes after a warm-up).
Engines: **ours** = `product_search(query=q)` as `/api/buyer/products?search=q` calls it (lexicon lookup + FTS);
**Saleor-style** = `saleor/product/search.py`: name (A) + description (C) tsvector in the `simple` configuration
(GIN index, side table `bench_saleor_search`, built once per database, ~15 s; {saleor_seconds:.1f} s in this run),
query words AND-ed as prefixes
(`kopi:* & murah:*`), ranked by ts_rank, no stemming or fuzzy matching; **ILIKE** = `name ILIKE '%q%'`, newest first.

{engine_table(result)}

Per query group (recall@10 / MRR):

{group_table(result)}
{compare}
{HISTORY.strip()}
"""
    print(body)
    if not args.no_write:
        write_section("Search relevance", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
