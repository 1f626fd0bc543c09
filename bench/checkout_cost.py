"""What one API checkout costs the web process, in-process (no server, no wrk): issue #4's flash sale
request (``POST /api/v1/checkout/orders``, a guest cart of one unit of one of 10,000 SKUs, its own
Idempotency-Key) sent straight to Django's WSGI handler, production profile (PostgreSQL, Redis).

Prints CPU milliseconds per order (this process, and its PostgreSQL backend: the other side of every
round trip), wall milliseconds per order and, with ``--instructions``, the **instructions per
order** counted by valgrind's callgrind. This virtual machine's speed changes by up to 3× between
hours (docs/ordering.md), so milliseconds compare only within minutes; the instruction count is the
same on every run of the same code (±0.3 %) and is the figure to compare changes with. It counts
the web process only (PostgreSQL's share: ``ordering_flash_sale.py``'s CPU per order).

    .venv/bin/python bench/checkout_cost.py --setup          # fresh database, 20,000 guest carts (~1 min)
    .venv/bin/python bench/checkout_cost.py --orders 300      # CPU and wall ms per order
    .venv/bin/python bench/checkout_cost.py --instructions    # instructions per order (100 orders, ~25 s)

Each order uses up one prepared cart; ``--setup`` again when they run out. Database
``zizhu_checkout_cost`` (``BENCH_CHECKOUT_DATABASE_URL``), Redis db 13.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import analyze, fresh_database, loop_ms, manage, production_env
from ordering_flash_sale import CSRF, ORDER_BODY, _cpu_ticks, prepare

DB_URL = os.environ.get("BENCH_CHECKOUT_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zizhu_checkout_cost")
REDIS_URL = os.environ.get("BENCH_CHECKOUT_REDIS_URL", "redis://127.0.0.1:6379/13")
STATE = Path(tempfile.gettempdir()) / "zizhu-checkout-cost.json"  # the prepared sessions and how many are used
WARM_UP = 20  # orders before measuring: imports, URL resolver, prepared statements


def environment() -> dict[str, str]:
    return production_env(tempfile.gettempdir(), database_url=DB_URL, redis_url=REDIS_URL)


def setup(carts: int) -> None:
    env = environment()
    subprocess.run(["redis-cli", "-u", REDIS_URL, "FLUSHDB"], check=False, capture_output=True)
    fresh_database(DB_URL)
    manage(env, "migrate", "--noinput", "-v0")
    sessions = prepare(env, skus=10_000, units=1_000_000, buyers=carts)  # 100 per SKU: never sold out
    analyze(DB_URL)
    STATE.write_text(json.dumps({"sessions": sessions, "used": 0}))
    print(f"{len(sessions)} guest carts ready in {DB_URL.rsplit('/', 1)[1]}")


def take(count: int) -> list[str]:
    if not STATE.exists():
        raise SystemExit("no prepared carts: run with --setup first")
    state = json.loads(STATE.read_text())
    start = state["used"]
    if start + count > len(state["sessions"]):
        raise SystemExit(f"only {len(state['sessions']) - start} prepared carts left: run with --setup")
    state["used"] = start + count
    STATE.write_text(json.dumps(state))
    return state["sessions"][start : start + count]


def measure(orders: int, *, toggle_callgrind: bool) -> None:
    os.environ.update(environment())
    import django

    django.setup()
    from django.core.wsgi import get_wsgi_application

    app = get_wsgi_application()
    body = ORDER_BODY.encode()
    sessions = take(WARM_UP + orders)

    def place(session: str) -> None:
        environ = {
            "REQUEST_METHOD": "POST", "PATH_INFO": "/api/v1/checkout/orders", "SCRIPT_NAME": "", "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1", "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr,
            "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": "application/json", "REMOTE_ADDR": "127.0.0.1",
            "HTTP_COOKIE": f"sessionid={session}; csrftoken={CSRF}", "HTTP_X_CSRFTOKEN": CSRF,
            "HTTP_IDEMPOTENCY_KEY": f"cost-{session}",
        }  # fmt: skip
        status: list[str] = []
        answer = b"".join(app(environ, lambda line, _headers, _exc=None: status.append(line)))
        if not status[0].startswith("201"):
            raise SystemExit(f"the checkout answered {status[0]}: {answer[:300]!r}")

    for session in sessions[:WARM_UP]:
        place(session)
    if toggle_callgrind:  # count only the measured orders, not start-up and warm-up
        subprocess.run(["callgrind_control", "--instr=on", str(os.getpid())], check=True, capture_output=True)
    from django.db import connection

    with connection.cursor() as cursor:  # this process's PostgreSQL backend: the other side of each round trip
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    backend_ticks = _cpu_ticks(backend)
    cpu, wall = time.process_time(), time.perf_counter()
    for session in sessions[WARM_UP:]:
        place(session)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    backend_ms = (_cpu_ticks(backend) - backend_ticks) * 1000 / os.sysconf("SC_CLK_TCK")
    if toggle_callgrind:
        subprocess.run(["callgrind_control", "--instr=off", str(os.getpid())], check=True, capture_output=True)
    else:
        print(
            f"{orders} orders: {1000 * cpu / orders:.2f} ms CPU here + {backend_ms / orders:.2f} ms in PostgreSQL, "
            f"{1000 * wall / orders:.2f} ms wall per order (machine speed: 5 M-step loop {loop_ms():.0f} ms)"
        )


def count_instructions(orders: int) -> None:
    if not shutil.which("valgrind"):
        raise SystemExit("valgrind is not installed: apt-get install valgrind")
    with tempfile.TemporaryDirectory() as folder:
        command = [
            "valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={folder}/out",
            sys.executable, __file__, "--orders", str(orders), "--under-callgrind",
        ]  # fmt: skip
        run = subprocess.run(command, capture_output=True, text=True, check=False)
        collected = re.search(r"Collected : (\d+)", run.stderr)
        if run.returncode != 0 or collected is None:
            raise SystemExit(f"callgrind run failed:\n{run.stdout}\n{run.stderr[-2000:]}")
    print(f"{orders} orders: {int(collected.group(1)) / orders / 1e6:.2f} M instructions per order (web process)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--setup", action="store_true", help="fresh database with --carts guest carts")
    parser.add_argument("--carts", type=int, default=20_000)
    parser.add_argument("--orders", type=int, default=0, help="orders to measure (300; 100 with --instructions)")
    parser.add_argument("--instructions", action="store_true", help="count instructions with callgrind")
    parser.add_argument("--under-callgrind", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        setup(args.carts)
    elif args.instructions:
        count_instructions(args.orders or 100)
    else:
        measure(args.orders or 300, toggle_callgrind=args.under_callgrind)


if __name__ == "__main__":
    main()
