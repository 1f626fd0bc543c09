"""Serving choice: requests/s and latency of WSGI vs ASGI for the same Django views.

Prints one row per server configuration. Not a test: nothing here fails on timing.
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
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zizhu_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")

CONFIGS = [
    ("granian WSGI, 4 workers", ["--interface", "wsgi", "--workers", "4", "--blocking-threads", "1"]),
    ("granian WSGI, 2 workers", ["--interface", "wsgi", "--workers", "2", "--blocking-threads", "1"]),
    ("granian ASGI, 2 workers", ["--interface", "asginl", "--workers", "2"]),
]


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
    }


def prepare(env: dict[str, str]) -> str:
    """Fresh database, migrated, with one customer and a bearer token. Returns the token."""
    name = DB_URL.rsplit("/", 1)[1]
    admin_url = DB_URL.rsplit("/", 1)[0] + "/postgres"
    subprocess.run(["psql", admin_url, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
    subprocess.run(["psql", admin_url, "-qc", f"CREATE DATABASE {name}"], check=True)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=REPO, env=env, check=True)
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], cwd=REPO, env=env, check=True)
    script = (
        "import django; django.setup()\n"
        "from zizhu.accounts import services\n"
        "user = services.sign_up(login='bench@example.com', password='bench-password-123')\n"
        "print(services.create_api_token(user=user, name='bench')[1])\n"
    )
    env = {**env, "DJANGO_SETTINGS_MODULE": "zizhu.config.settings"}
    out = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, check=True, capture_output=True)
    return out.stdout.decode().strip().splitlines()[-1]


def wait_ready(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server on {port} did not start")


def run_wrk(url: str, duration: int, connections: int, headers: list[str]) -> dict[str, str]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", *headers, url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)
    p50 = re.search(r"\s50%\s+([\d.]+\w+)", output).group(1)
    p99 = re.search(r"\s99%\s+([\d.]+\w+)", output).group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"rps": rps, "p50": p50, "p99": p99, "non2xx": errors.group(1) if errors else "0"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    var_dir = tempfile.mkdtemp(prefix="zizhu-bench-")
    env = production_env(var_dir)
    token = prepare(env)
    print(f"wrk -t2 -c{args.connections} -d{args.duration}s, load generator on the same 2-core machine\n")
    print(f"{'server':<26} {'endpoint':<34} {'req/s':>9} {'p50':>9} {'p99':>9} {'non-2xx':>8}")
    for label, server_args in CONFIGS:
        port = 8190
        command = [str(BIN / "granian"), *server_args, "--host", "127.0.0.1", "--port", str(port)]
        target = "zizhu.config.wsgi:application" if "wsgi" in server_args else "zizhu.config.asgi:application"
        server_env = {**env, "DB_CONN_MAX_AGE": "60" if "wsgi" in server_args else "0"}
        # Own process group: granian's ASGI workers outlived a plain SIGINT once; the group is killed.
        server = subprocess.Popen(
            [*command, target], cwd=REPO, env=server_env, stdout=subprocess.DEVNULL, start_new_session=True
        )
        try:
            wait_ready(port)
            base = f"http://127.0.0.1:{port}"
            cases = [
                ("/healthz (no database)", f"{base}/healthz", []),
                ("/api/v1/me (bearer, 1 SELECT)", f"{base}/api/v1/me", ["-H", f"Authorization: Bearer {token}"]),
            ]
            for name, url, headers in cases:
                run_wrk(url, 2, args.connections, headers)  # warm-up
                result = run_wrk(url, args.duration, args.connections, headers)
                print(
                    f"{label:<26} {name:<34} {result['rps']:>9} {result['p50']:>9} {result['p99']:>9} "
                    f"{result['non2xx']:>8}",
                    flush=True,
                )
        finally:
            os.killpg(server.pid, signal.SIGINT)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
    shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
