"""Product page and product detail API on a large catalogue, production profile.

Seeds a catalogue (``seed_catalog --scale 200`` ≈ 100,000 products, no images) into its own
database, serves it with granian (WSGI), and measures with wrk:

* service time with one client (p50/p99), and
* requests/s and p99 with 32 connections,

for random products, each request as one of 500 returning guests (a session cookie, so
history and behaviour events are really written after each response). Not a test: prints
figures, never fails on timing. Afterwards it checks that every request left a behaviour event.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import tempfile
import time
from pathlib import Path

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

DB_URL = os.environ.get("BENCH_CATALOG_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zizhu_catalog_bench")
REDIS_URL = os.environ.get("BENCH_CATALOG_REDIS_URL", "redis://127.0.0.1:6379/11")
PORT = int(os.environ.get("BENCH_CATALOG_PORT", "8297"))  # not 8190/8191: other benchmarks use them


def prepare(env: dict[str, str], scale: int, reuse: bool) -> None:
    if reuse and database_exists(DB_URL):
        print(f"reusing database {DB_URL.rsplit('/', 1)[1]}")
        manage(env, "migrate", "--noinput", "-v0")
    else:
        fresh_database(DB_URL)
        manage(env, "migrate", "--noinput", "-v0")
        started = time.monotonic()
        manage(env, "seed_catalog", "--scale", str(scale), "--no-images", "--no-announce", quiet=True)
        print(f"seeded in {time.monotonic() - started:.0f} s")
        django(env, "from django.db import connection\nconnection.cursor().execute('VACUUM ANALYZE')")
    manage(env, "collectstatic", "--noinput", "-v0")


def guests_and_slugs(env: dict[str, str], guests: int, products: int) -> tuple[list[str], list[str], int]:
    script = f"""
import secrets
from django.contrib.sessions.backends.cached_db import SessionStore
from zizhu.catalog.models import Product
for _ in range({guests}):
    s = SessionStore()
    s["catalog_guest_key"] = secrets.token_urlsafe(24)
    s.create()
    print("S", s.session_key)
ids = list(Product.objects.filter(is_active=True).values_list("slug", flat=True))
print("N", len(ids))
import random
for slug in random.Random(7).sample(ids, min({products}, len(ids))):
    print("P", slug)
"""
    lines = django(env, script).splitlines()
    sessions = [line[2:] for line in lines if line.startswith("S ")]
    slugs = [line[2:] for line in lines if line.startswith("P ")]
    total = int(next(line[2:] for line in lines if line.startswith("N ")))
    return sessions, slugs, total


def lua_script(path: Path, template: str, slugs: list[str], sessions: list[str]) -> None:
    quoted_slugs = ",".join(f'"{s}"' for s in slugs)
    quoted_sessions = ",".join(f'"{s}"' for s in sessions)
    path.write_text(
        f"""
local slugs = {{{quoted_slugs}}}
local sessions = {{{quoted_sessions}}}
math.randomseed(os.time() + tonumber(tostring({{}}):sub(8), 16))
request = function()
  local slug = slugs[math.random(#slugs)]
  local session = sessions[math.random(#sessions)]
  local path = string.format("{template}", slug)
  return wrk.format("GET", path, {{["Cookie"] = "sessionid=" .. session, ["Accept-Language"] = "zh-hans"}})
end
"""
    )


def count_events(env: dict[str, str]) -> int:
    return int(django(env, "from zizhu.catalog.models import BehaviourEvent\nprint(BehaviourEvent.objects.count())"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=200, help="seed_catalog --scale (200 ≈ 100,000 products)")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="keep an existing seeded database")
    parser.add_argument("--products", type=int, default=5000, help="how many different products are requested")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    var_dir = tempfile.mkdtemp(prefix="zizhu-catalog-bench-")
    env = production_env(var_dir, database_url=DB_URL, redis_url=REDIS_URL)
    prepare(env, args.scale, args.reuse)
    sessions, slugs, total = guests_and_slugs(env, 500, args.products)
    random.Random(1).shuffle(slugs)
    print(f"{total} products; {len(slugs)} requested at random; {len(sessions)} guest sessions; granian WSGI, "
          f"{args.workers} workers; wrk on the same 2-core machine; load average before: "
          f"{load_average()}\n")  # fmt: skip
    server = start_granian(env, PORT, workers=args.workers)
    requests = 0
    try:
        before = count_events(env)
        print(f"{'endpoint':<34} {'clients':>7} {'req/s':>9} {'p50':>9} {'p99':>9} {'non-2xx':>8} {'load':>5}")
        for name, template in (("product page /p/<slug>/", "/p/%s/"),
                               ("detail API /catalog/products/<slug>", "/api/v1/catalog/products/%s")):  # fmt: skip
            script = Path(var_dir) / "requests.lua"
            lua_script(script, template, slugs, sessions)
            target, lua = f"http://127.0.0.1:{PORT}", ("-s", str(script))
            requests += int(run_wrk(target, duration=3, connections=8, threads=1, args=lua)["total"])  # warm-up
            for connections in (1, 32):
                result = run_wrk(target, duration=args.duration, connections=connections, args=lua)
                requests += int(result["total"])
                print(f"{name:<34} {connections:>7} {result['rps']:>9.0f} {result['p50']:>7.1f}ms "
                      f"{result['p99']:>7.1f}ms {int(result['errors']):>8} {os.getloadavg()[0]:>5.1f}")  # fmt: skip
        time.sleep(1)
        recorded = count_events(env) - before
        print(f"\nbehaviour events recorded: {recorded} for {requests} requests")
    finally:
        stop_server(server)
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
