"""Search, category and product pages on a 100,000-product catalogue (production profile).

Seeds a separate PostgreSQL database (default ``zizhu_bench_search``) with the demo catalogue
generator scaled up (bulk inserts, no images) and indexes it with the set-based rebuild, then
serves the shop with granian (WSGI, several workers) and measures with wrk on the same machine:

* service time with one client (wrk -c1): p50 / p99
* requests/s and p99 with 32 connections

for a Chinese search with facets, a category page with facets and a product page, once with
the page caches off (every request runs the queries and renders everything) and once with
them on (as deployed). Prints figures with the load average; never fails on timing.

The database is kept: the next run reuses it when it is seeded and indexed (``--reseed``
starts again, ``--reindex`` only rebuilds the index and prints how long it took).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import urllib.parse
import urllib.request

from common import (
    database_exists,
    django,
    fresh_database,
    load_average,
    manage,
    production_env,
    run_wrk,
    start_granian,
    stop_server,
)

DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zizhu_bench_search")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")
DEMO_PRODUCTS_PER_SCALE = 507  # products in the demo catalogue at scale 1
PORT = int(os.environ.get("BENCH_SEARCH_PORT", "8191"))
TARGETS = {  # (p99 ms with one client, req/s at 32 connections)
    "search": (50, 200),
    "category": (50, 300),
    "product": (30, 800),
}

STATE_SCRIPT = """
from zizhu.catalog.models import Product
from zizhu.search.models import SearchEntry
print(Product.objects.filter(is_active=True).count(), SearchEntry.objects.count())
"""

SEED_SCRIPT = """
import math, time
from rich.progress import Progress
from zizhu.catalog import demo
scale = max(1, math.ceil({wanted} / {per_scale}))
started = time.monotonic()
with Progress() as progress:
    count = demo.generate(progress=progress, scale=scale, images=False, announce=False)
print(f"seeded {{count}} products in {{time.monotonic() - started:.0f}} s")
"""

INDEX_SCRIPT = """
import time
from django.db import connection
from zizhu.search import bulk, services
started = time.monotonic()
count = services.rebuild_index()
indexed = time.monotonic()
bulk.compact()
with connection.cursor() as cursor:
    cursor.execute("VACUUM ANALYZE")
phases = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in bulk.last_timings.items())
print(f"indexed {count} products in {indexed - started:.0f} s (set-based rebuild: {phases}); "
      f"compacted in {time.monotonic() - indexed:.0f} s")
"""

PICK_SCRIPT = """
from django.db.models import Count
from zizhu.catalog.models import Category, Product
from zizhu.search.models import SearchCategoryLink
top = (SearchCategoryLink.objects.filter(depth=0).values("category_id").annotate(n=Count("entry_id"))
       .order_by("-n").first())
category = Category.objects.get(pk=top["category_id"])
product = Product.objects.filter(is_active=True, name_zh__contains="手机").order_by("-sales_count").first()
print(category.slug, top["n"], product.slug)
"""


def prepare(env: dict[str, str], args: argparse.Namespace) -> None:
    """Seed and index only what is missing (the database is kept between runs)."""
    products = indexed = 0
    if database_exists(DB_URL) and not args.reseed:
        manage(env, "migrate", "--noinput", "-v0")
        products, indexed = map(int, django(env, STATE_SCRIPT).split())
    if products < args.products * 0.9:
        fresh_database(DB_URL)
        manage(env, "migrate", "--noinput", "-v0")
        print(django(env, SEED_SCRIPT.format(wanted=args.products, per_scale=DEMO_PRODUCTS_PER_SCALE)).strip()[-80:])
        products, indexed = map(int, django(env, STATE_SCRIPT).split())  # a fresh seed is not indexed yet
    if indexed < products * 0.99 or args.reindex:
        print(f"load average before indexing: {load_average()}")
        print(django(env, INDEX_SCRIPT).strip(), f"(load average after: {load_average()})", flush=True)
    manage(env, "collectstatic", "--noinput", "-v0")


def check_page(url: str, must_contain: str) -> None:
    """Correctness after the load: the page still answers with real results."""
    with urllib.request.urlopen(url, timeout=60) as response:
        body = response.read().decode()
    if response.status != 200 or must_contain not in body:
        raise SystemExit(f"{url} did not show {must_contain!r}")


def measure(label: str, env: dict[str, str], cases: list[tuple[str, str, str]], args: argparse.Namespace) -> None:
    server = start_granian(env, PORT, workers=args.workers)
    try:
        for kind, url, expected in cases:
            run_wrk(url, duration=5, connections=8)  # warm-up: every worker loads jieba, connects, caches
            one = run_wrk(url, duration=args.duration, connections=1)
            many = run_wrk(url, duration=args.duration, connections=args.connections)
            p99_target, rps_target = TARGETS[kind]
            failed = sum(int(run[name]) for run in (one, many) for name in ("errors", "timeouts"))
            print(
                f"{label:<7} {kind:<9} {one['p50']:>8.1f} {one['p99']:>8.1f} {p99_target:>6} "
                f"{many['rps']:>8.0f} {many['p99']:>8.1f} {rps_target:>6} {failed:>6} "
                f"{os.getloadavg()[0]:>6.1f}",
                flush=True,
            )
            check_page(url, expected)
    finally:
        stop_server(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--reseed", action="store_true", help="drop the benchmark database and seed it again")
    parser.add_argument("--reindex", action="store_true", help="rebuild the search index (timed) before measuring")
    parser.add_argument("--skip-seed", action="store_true", help=argparse.SUPPRESS)  # the default now
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--only", choices=["off", "on"], help="measure with the caches off or on only")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    var_dir = tempfile.mkdtemp(prefix="zizhu-bench-search-")
    env = production_env(var_dir, database_url=DB_URL, redis_url=REDIS_URL, ZIZHU_SEARCH_CACHE_SECONDS="0")
    started = time.monotonic()
    prepare(env, args)
    category_slug, category_count, product_slug = django(env, PICK_SCRIPT).split()
    base = f"http://127.0.0.1:{PORT}"
    cases = [
        ("search", f"{base}/search/?q={urllib.parse.quote('手机')}", 'name="brand"'),
        ("category", f"{base}/c/{category_slug}/", 'name="brand"'),
        ("product", f"{base}/p/{product_slug}/", "手机"),
    ]
    print(f"catalogue: category /c/{category_slug}/ holds {category_count} products; product /p/{product_slug}/")
    print(f"granian WSGI x{args.workers} workers; wrk on the same 2-core machine; {args.duration} s per measurement; "
          f"load average {load_average()}; prepared in {time.monotonic() - started:.0f} s")  # fmt: skip
    print(f"{'caches':<7} {'page':<9} {'1c p50':>8} {'1c p99':>8} {'target':>6} "
          f"{'req/s':>8} {'p99':>8} {'target':>6} {'errors':>6} {'load':>6}")  # fmt: skip
    print(f"{'':<7} {'':<9} {'(ms)':>8} {'(ms)':>8} {'(ms)':>6} {'@' + str(args.connections):>8} {'(ms)':>8}")
    if args.only != "on":
        measure("off", env, cases, args)
    if args.only != "off":
        cached = production_env(var_dir, database_url=DB_URL, redis_url=REDIS_URL)
        measure("on", cached, cases, args)
    shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
