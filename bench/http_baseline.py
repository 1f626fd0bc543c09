"""Serving choice: requests/s and latency of WSGI vs ASGI for the same Django views.

Prints one row per server configuration. Not a test: nothing here fails on timing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile

from common import django, fresh_database, load_average, manage, production_env, run_wrk, start_granian, stop_server

DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zizhu_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
PORT = 8190

CONFIGS = [  # label, workers, ASGI?
    ("granian WSGI, 4 workers", 4, False),
    ("granian WSGI, 2 workers", 2, False),
    ("granian ASGI, 2 workers", 2, True),
]

TOKEN_SCRIPT = """
from zizhu.accounts import services
user = services.sign_up(login='bench@example.com', password='bench-password-123')
print(services.create_api_token(user=user, name='bench')[1])
"""


def prepare(env: dict[str, str]) -> str:
    """Fresh database, migrated, with one customer and a bearer token. Returns the token."""
    fresh_database(DB_URL)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    return django(env, TOKEN_SCRIPT).strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    var_dir = tempfile.mkdtemp(prefix="zizhu-bench-")
    env = production_env(var_dir, database_url=DB_URL, redis_url=REDIS_URL)
    token = prepare(env)
    print(f"wrk -t2 -c{args.connections} -d{args.duration}s, load generator on the same 2-core machine; "
          f"load average {load_average()}\n")  # fmt: skip
    print(f"{'server':<26} {'endpoint':<34} {'req/s':>9} {'p50':>9} {'p99':>9} {'non-2xx':>8} {'load':>5}")
    for label, workers, asgi in CONFIGS:
        # Persistent connections suit WSGI workers; under ASGI every request may run in a new thread.
        server_env = {**env, "DB_CONN_MAX_AGE": "0" if asgi else "60"}
        server = start_granian(server_env, PORT, workers=workers, asgi=asgi)
        try:
            base = f"http://127.0.0.1:{PORT}"
            cases = [
                ("/healthz (no database)", f"{base}/healthz", ()),
                ("/api/v1/me (bearer, 1 SELECT)", f"{base}/api/v1/me", ("-H", f"Authorization: Bearer {token}")),
            ]
            for name, url, headers in cases:
                run_wrk(url, duration=2, connections=args.connections, args=headers)  # warm-up
                result = run_wrk(url, duration=args.duration, connections=args.connections, args=headers)
                print(
                    f"{label:<26} {name:<34} {result['rps']:>9.0f} {result['p50']:>7.1f}ms {result['p99']:>7.1f}ms "
                    f"{int(result['errors']):>8} {os.getloadavg()[0]:>5.1f}",
                    flush=True,
                )
        finally:
            stop_server(server)
    shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
