"""Search, category and product pages on a 100,000-product catalogue (production profile).

Seeds a separate PostgreSQL database (default ``zizhu_bench_search``) with the demo catalogue
generator scaled up (bulk inserts, no images) and indexes it, then serves the shop with
granian (WSGI, several workers) and measures with wrk on the same machine:

* service time with one client (wrk -c1): p50 / p99
* requests/s and p99 with 32 connections

for a Chinese search with facets, a category page with facets and a product page, once with
the listing cache off (every request runs the queries) and once with it on (as deployed).
Prints figures; never fails on timing. ``--skip-seed`` reuses the seeded database.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zizhu_bench_search")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
DEMO_PRODUCTS_PER_SCALE = 507  # products in the demo catalogue at scale 1
PORT = 8191
TARGETS = {  # (p99 ms with one client, req/s at 32 connections)
    "search": (50, 200),
    "category": (50, 300),
    "product": (30, 800),
}

SEED_SCRIPT = """
import django, math, sys, time
django.setup()
from django.db import connection
from rich.progress import Progress
from zizhu.catalog import demo
from zizhu.search import services

wanted = int(sys.argv[1])
scale = max(1, math.ceil(wanted / {per_scale}))
started = time.monotonic()
with Progress() as progress:
    count = demo.generate(progress=progress, scale=scale, images=False, announce=False)
    seeded = time.monotonic()
    task = progress.add_task("Search index", total=count)
    services.rebuild_index(progress=lambda n: progress.advance(task, n))
with connection.cursor() as cursor:
    cursor.execute("VACUUM ANALYZE")
print(f"seeded {{count}} products in {{seeded - started:.0f}} s, indexed in {{time.monotonic() - seeded:.0f}} s")
"""

PICK_SCRIPT = """
import django
django.setup()
from django.db.models import Count
from zizhu.catalog.models import Category, Product
from zizhu.search.models import SearchCategoryLink
top = (SearchCategoryLink.objects.filter(depth=0).values("category_id").annotate(n=Count("entry_id"))
       .order_by("-n").first())
category = Category.objects.get(pk=top["category_id"])
product = Product.objects.filter(is_active=True, name_zh__contains="手机").order_by("-sales_count").first()
print(category.slug, top["n"], product.slug)
"""


def production_env(var_dir: str, *, cache_seconds: int) -> dict[str, str]:
    return {
        **os.environ,
        "ZIZHU_PROFILE": "production",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": DB_URL,
        "REDIS_URL": REDIS_URL,
        "FIELD_ENCRYPTION_KEYS": "bench:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
        "SECURE_SSL_REDIRECT": "0",
        "ZIZHU_VAR_DIR": var_dir,
        "LOG_LEVEL": "WARNING",
        "ZIZHU_SEARCH_CACHE_SECONDS": str(cache_seconds),
        "DJANGO_SETTINGS_MODULE": "zizhu.config.settings",
    }


def seed(env: dict[str, str], products: int) -> None:
    name = DB_URL.rsplit("/", 1)[1]
    admin_url = DB_URL.rsplit("/", 1)[0] + "/postgres"
    subprocess.run(["psql", admin_url, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
    subprocess.run(["psql", admin_url, "-qc", f"CREATE DATABASE {name}"], check=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=REPO, env=env, check=True)
    script = SEED_SCRIPT.format(per_scale=DEMO_PRODUCTS_PER_SCALE)
    subprocess.run([sys.executable, "-c", script, str(products)], cwd=REPO, env=env, check=True)


def wait_ready(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server on {port} did not start")


def to_ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(url: str, *, duration: int, connections: int) -> dict[str, float]:
    threads = min(2, connections)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", url]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    output = result.stdout
    if "Requests/sec" not in output:
        raise RuntimeError(f"wrk failed ({result.returncode}): {output} {result.stderr}")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": to_ms(re.search(r"\s50%\s+([\d.]+\w+)", output).group(1)),
        "p99": to_ms(re.search(r"\s99%\s+([\d.]+\w+)", output).group(1)),
        "errors": float(errors.group(1)) if errors else 0.0,
    }


def check_page(url: str, must_contain: str) -> None:
    """Correctness after the load: the page still answers with real results."""
    with urllib.request.urlopen(url, timeout=60) as response:
        body = response.read().decode()
    if response.status != 200 or must_contain not in body:
        raise SystemExit(f"{url} did not show {must_contain!r}")


def measure(label: str, env: dict[str, str], cases: list[tuple[str, str, str]], args: argparse.Namespace) -> None:
    command = [str(BIN / "granian"), "--interface", "wsgi", "--workers", str(args.workers), "--blocking-threads", "1"]
    command += ["--host", "127.0.0.1", "--port", str(PORT), "zizhu.config.wsgi:application"]
    server = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL)
    try:
        wait_ready(PORT)
        for kind, url, expected in cases:
            run_wrk(url, duration=5, connections=8)  # warm-up: every worker loads jieba, connects, caches
            one = run_wrk(url, duration=args.duration, connections=1)
            many = run_wrk(url, duration=args.duration, connections=args.connections)
            p99_target, rps_target = TARGETS[kind]
            print(
                f"{label:<12} {kind:<9} {one['p50']:>8.1f} {one['p99']:>8.1f} {p99_target:>6} "
                f"{many['rps']:>8.0f} {many['p99']:>8.1f} {rps_target:>6} {int(one['errors'] + many['errors']):>6} "
                f"{os.getloadavg()[0]:>6.1f}",
                flush=True,
            )
            check_page(url, expected)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--skip-seed", action="store_true", help="reuse the seeded benchmark database")
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    var_dir = tempfile.mkdtemp(prefix="zizhu-bench-search-")
    env = production_env(var_dir, cache_seconds=0)
    if not args.skip_seed:
        seed(env, args.products)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=REPO, env=env, check=True)
    picked = subprocess.run([sys.executable, "-c", PICK_SCRIPT], cwd=REPO, env=env, check=True, capture_output=True)
    category_slug, category_count, product_slug = picked.stdout.decode().split()
    base = f"http://127.0.0.1:{PORT}"
    cases = [
        ("search", f"{base}/search/?q={urllib.parse.quote('手机')}", 'name="brand"'),
        ("category", f"{base}/c/{category_slug}/", 'name="brand"'),
        ("product", f"{base}/p/{product_slug}/", "手机"),
    ]
    print(f"catalogue: category /c/{category_slug}/ holds {category_count} products; product /p/{product_slug}/")
    print(f"granian WSGI x{args.workers} workers; wrk on the same 2-core machine; {args.duration} s per measurement; "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")  # fmt: skip
    print(f"{'listing cache':<12} {'page':<9} {'1c p50':>8} {'1c p99':>8} {'target':>6} "
          f"{'req/s':>8} {'p99':>8} {'target':>6} {'non2xx':>6} {'load':>6}")  # fmt: skip
    print(f"{'':<12} {'':<9} {'(ms)':>8} {'(ms)':>8} {'(ms)':>6} {'@' + str(args.connections):>8} {'(ms)':>8}")
    measure("off", env, cases, args)
    measure("on", production_env(var_dir, cache_seconds=300), cases[:2], args)
    shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
