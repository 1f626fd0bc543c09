"""Helpers shared by the HTTP benchmarks: the production environment, the server, wrk and its figures.

Every benchmark runs the production profile (PostgreSQL, Redis, granian WSGI workers) against a
database of its own, with wrk on the same machine; nothing here fails on timing.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# A secret and an encryption key that exist only for benchmarks (never a real deployment's).
BENCH_SECRET_KEY = "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG"
BENCH_FIELD_KEYS = "bench:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="


def production_env(var_dir: str, *, database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    """The environment of a production-profile process on the benchmark's own database and Redis db."""
    return {
        **os.environ,
        "ZIZHU_PROFILE": "production",
        "SECRET_KEY": BENCH_SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "FIELD_ENCRYPTION_KEYS": BENCH_FIELD_KEYS,
        "SECURE_SSL_REDIRECT": "0",
        "ZIZHU_VAR_DIR": var_dir,
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "zizhu.config.settings",
        **extra,
    }


def django(env: dict[str, str], script: str) -> str:
    """Run ``script`` after ``django.setup()`` in a child process; returns what it printed."""
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + script],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout


def manage(env: dict[str, str], *args: str, quiet: bool = False) -> None:
    stdout = subprocess.DEVNULL if quiet else None
    subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=env, check=True, stdout=stdout)


def admin_url(database_url: str) -> str:
    return database_url.rsplit("/", 1)[0] + "/postgres"


def database_exists(database_url: str) -> bool:
    name = database_url.rsplit("/", 1)[1]
    query = f"SELECT 1 FROM pg_database WHERE datname = '{name}'"
    out = subprocess.run(["psql", admin_url(database_url), "-tAc", query], capture_output=True, text=True, check=True)
    return out.stdout.strip() == "1"


def fresh_database(database_url: str) -> None:
    """Drop and create the benchmark's database (never a shared one: the name comes from the benchmark)."""
    name = database_url.rsplit("/", 1)[1]
    subprocess.run(["psql", admin_url(database_url), "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
    subprocess.run(["psql", admin_url(database_url), "-qc", f"CREATE DATABASE {name}"], check=True)


def analyze(database_url: str) -> None:
    """ANALYZE the freshly filled database, as autovacuum would soon do in production. This machine's
    PostgreSQL runs with ``autovacuum = off``: without statistics the planner took the checkout's
    cart-lines query for a hash join over every variant (2.0 ms instead of 0.26 ms per order)."""
    subprocess.run(["psql", database_url, "-qc", "ANALYZE"], check=True)


def wait_ready(port: int, timeout: float = 60) -> None:
    """Until the server answers /healthz (workers import Django, jieba… first)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server on {port} did not start")


def start_granian(env: dict[str, str], port: int, *, workers: int = 4, asgi: bool = False) -> subprocess.Popen:
    """granian in its own process group (stop_server kills the group: an ASGI worker once outlived SIGINT)."""
    if asgi:
        interface = ["--interface", "asginl", "--workers", str(workers)]
        target = "zizhu.config.asgi:application"
    else:
        interface = ["--interface", "wsgi", "--workers", str(workers), "--blocking-threads", "1"]
        target = "zizhu.config.wsgi:application"
    command = [str(BIN / "granian"), *interface, "--host", "127.0.0.1", "--port", str(port), target]
    server = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_ready(port)
    except BaseException:
        stop_server(server)
        raise
    return server


def stop_server(server: subprocess.Popen) -> None:
    try:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
    except ProcessLookupError:
        server.wait()


def to_ms(value: str) -> float:
    match = re.match(r"([\d.]+)(\w+)", value)
    if match is None:
        raise ValueError(f"not a wrk duration: {value!r}")
    number, unit = match.groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def _field(pattern: str, output: str) -> str:
    match = re.search(pattern, output)
    if match is None:
        raise RuntimeError(f"wrk printed no {pattern!r}: {output}")
    return match.group(1)


def run_wrk(
    target: str, *, duration: int, connections: int, threads: int | None = None, args: tuple[str, ...] = ()
) -> dict[str, float]:
    """One wrk run against ``target`` (a URL; ``args`` may add ``-s script.lua`` or ``-H`` headers).

    Returns requests/s, p50 and p99 in ms, the number of requests, of non-2xx/3xx answers and of timeouts.
    """
    threads = threads or min(2, connections)
    # wrk leaves requests slower than its timeout (2 s by default) out of the latencies: on a
    # loaded machine a single client could then report 0 ms. 10 s keeps them in.
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "--latency"]
    command += [*args, target]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    output = result.stdout
    if "Requests/sec" not in output:
        raise RuntimeError(f"wrk failed ({result.returncode}): {output} {result.stderr}")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    timeouts = re.search(r"Socket errors:.*timeout (\d+)", output)
    return {
        "rps": float(_field(r"Requests/sec:\s+([\d.]+)", output)),
        "p50": to_ms(_field(r"\s50%\s+([\d.]+\w+)", output)),
        "p99": to_ms(_field(r"\s99%\s+([\d.]+\w+)", output)),
        "total": float(_field(r"(\d+) requests in", output)),
        "errors": float(errors.group(1)) if errors else 0.0,
        "timeouts": float(timeouts.group(1)) if timeouts else 0.0,
    }


def loop_ms() -> float:
    """This machine's speed right now: milliseconds for a 5,000,000-step Python loop (best of 3).

    The virtual machine's speed changes by up to 3× between hours (docs/ordering.md); printed with
    the figures, it tells a faster minute from faster code."""

    def loop() -> int:
        total = 0
        for step in range(5_000_000):
            total += step
        return total

    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        loop()
        best = min(best, time.perf_counter() - start)
    return 1000 * best


def load_average() -> str:
    """The 1/5/15-minute load, printed with every figure (the machine is shared)."""
    return " ".join(f"{x:.1f}" for x in os.getloadavg())
