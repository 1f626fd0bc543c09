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
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DB_URL = os.environ.get("BENCH_CATALOG_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zizhu_catalog_bench")
REDIS_URL = os.environ.get("BENCH_CATALOG_REDIS_URL", "redis://127.0.0.1:6379/11")
PORT = int(os.environ.get("BENCH_CATALOG_PORT", "8297"))  # not 8190/8191: other benchmarks use them


def production_env(var_dir: str) -> dict[str, str]:
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
        "DJANGO_SETTINGS_MODULE": "zizhu.config.settings",
    }


def django(env: dict[str, str], script: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + script],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout


def prepare(env: dict[str, str], scale: int, reuse: bool) -> None:
    name = DB_URL.rsplit("/", 1)[1]
    admin_url = DB_URL.rsplit("/", 1)[0] + "/postgres"
    exists = subprocess.run(
        ["psql", admin_url, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    manage = [sys.executable, "manage.py"]
    if reuse and exists:
        print(f"reusing database {name}")
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=REPO, env=env, check=True)
    else:
        subprocess.run(["psql", admin_url, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
        subprocess.run(["psql", admin_url, "-qc", f"CREATE DATABASE {name}"], check=True)
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=REPO, env=env, check=True)
        started = time.monotonic()
        subprocess.run(
            [*manage, "seed_catalog", "--scale", str(scale), "--no-images", "--no-announce"],
            cwd=REPO,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(f"seeded in {time.monotonic() - started:.0f} s")
        subprocess.run(["psql", DB_URL, "-qc", "VACUUM ANALYZE"], check=True)
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], cwd=REPO, env=env, check=True)


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


def run_wrk(script: Path, duration: int, connections: int, threads: int) -> dict[str, str]:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "-s", str(script)]
    output = subprocess.run([*command, f"http://127.0.0.1:{PORT}"], capture_output=True, text=True, check=True).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)
    p50 = re.search(r"\s50%\s+([\d.]+\w+)", output).group(1)
    p99 = re.search(r"\s99%\s+([\d.]+\w+)", output).group(1)
    total = re.search(r"(\d+) requests in", output).group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"rps": rps, "p50": p50, "p99": p99, "total": total, "non2xx": errors.group(1) if errors else "0"}


def wait_ready() -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1)
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("server did not start")


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
    env = production_env(var_dir)
    prepare(env, args.scale, args.reuse)
    sessions, slugs, total = guests_and_slugs(env, 500, args.products)
    random.Random(1).shuffle(slugs)
    print(f"{total} products; {len(slugs)} requested at random; {len(sessions)} guest sessions; granian WSGI, "
          f"{args.workers} workers; wrk on the same 2-core machine; load average before: "
          f"{os.getloadavg()[0]:.1f}\n")  # fmt: skip
    server = subprocess.Popen(
        [str(BIN / "granian"), "--interface", "wsgi", "--workers", str(args.workers), "--blocking-threads", "1",
         "--host", "127.0.0.1", "--port", str(PORT), "zizhu.config.wsgi:application"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    requests = 0
    try:
        wait_ready()
        before = count_events(env)
        print(f"{'endpoint':<34} {'clients':>7} {'req/s':>9} {'p50':>9} {'p99':>9} {'non-2xx':>8}")
        for name, template in (("product page /p/<slug>/", "/p/%s/"),
                               ("detail API /catalog/products/<slug>", "/api/v1/catalog/products/%s")):  # fmt: skip
            script = Path(var_dir) / "requests.lua"
            lua_script(script, template, slugs, sessions)
            requests += int(run_wrk(script, 3, 8, 1)["total"])  # warm-up
            for connections, threads in ((1, 1), (32, 2)):
                result = run_wrk(script, args.duration, connections, threads)
                requests += int(result["total"])
                print(f"{name:<34} {connections:>7} {result['rps']:>9} {result['p50']:>9} {result['p99']:>9} "
                      f"{result['non2xx']:>8}")  # fmt: skip
        time.sleep(1)
        recorded = count_events(env) - before
        print(f"\nbehaviour events recorded: {recorded} for {requests} requests")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
