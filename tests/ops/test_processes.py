"""The production processes on one machine: two WSGI web processes share sessions through
PostgreSQL + Redis, and a Celery worker runs outbox handlers."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection

from zizhu.accounts.models import User

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def production_env(tmp_path):
    s = connection.settings_dict
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "ZIZHU_PROFILE": "production",
        "SECRET_KEY": "p9#Lk2$wQ8!zR4^tY7&uI1*oP3(aS6)dF0_gH5+jK8=lZ2-xC7~vB4",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST']}:{s['PORT']}/{s['NAME']}",
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"),
        "FIELD_ENCRYPTION_KEYS": "k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
        "ZIZHU_VAR_DIR": str(tmp_path),
        "PYTHONPATH": str(REPO / "src"),
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=REPO, env=env, check=True, timeout=120
    )
    return env


def _start_web(env: dict[str, str], port: int) -> subprocess.Popen:
    command = [
        str(VENV_BIN / "granian"),
        "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
        "zizhu.config.wsgi:application",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if _request(port, "GET", "/healthz")[0] == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError(f"web process on {port} did not start: {process.stderr.read().decode()[-2000:]}")


def _request(port, method, path, body=None, cookies=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    all_headers = {"X-Forwarded-Proto": "https", "Host": f"127.0.0.1:{port}", **(headers or {})}
    if cookies:
        all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    conn.request(method, path, body=body, headers=all_headers)
    response = conn.getresponse()
    jar = SimpleCookie()
    for value in response.headers.get_all("Set-Cookie") or []:
        jar.load(value)
    return response.status, {k: m.value for k, m in jar.items()}, response.read().decode()


def _stop(*processes: subprocess.Popen) -> None:
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def test_signed_in_through_one_web_process_is_signed_in_through_the_other(production_env):
    User.objects.create(email="shared@example.com", password=make_password("shared-session-pass-1", hasher="argon2"))
    port_a, port_b = _free_port(), _free_port()
    web_a, web_b = _start_web(production_env, port_a), _start_web(production_env, port_b)
    try:
        status, cookies, html = _request(port_a, "GET", "/accounts/signin/")
        assert status == 200
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        form = f"csrfmiddlewaretoken={csrf}&username=shared%40example.com&password=shared-session-pass-1"
        status, new_cookies, _ = _request(
            port_a,
            "POST",
            "/accounts/signin/",
            body=form,
            cookies=cookies,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": f"https://127.0.0.1:{port_a}",
                "Referer": f"https://127.0.0.1:{port_a}/accounts/signin/",
            },
        )
        assert status == 302, "sign-in through process A"
        session = {"sessionid": new_cookies["sessionid"]}

        status, _, html = _request(port_b, "GET", "/accounts/profile/", cookies=session)
        assert status == 200 and "shared@example.com" in html, "the same session through process B"
        status, _, body = _request(port_b, "GET", "/api/v1/me", cookies=session)
        assert status == 200 and '"shared@example.com"' in body
        # production answers plain HTTP with a redirect to HTTPS and sends HSTS over HTTPS
        conn = http.client.HTTPConnection("127.0.0.1", port_b, timeout=10)
        conn.request("GET", "/help/")
        assert conn.getresponse().status == 301
    finally:
        _stop(web_a, web_b)


def test_celery_worker_runs_outbox_handlers(production_env, tmp_path):
    worker = subprocess.Popen(
        [str(VENV_BIN / "celery"), "-A", "zizhu.config", "worker", "--concurrency", "1", "--pool", "solo",
         "--loglevel", "WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=REPO, env=production_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        script = (
            "import django; django.setup();"
            "from zizhu.accounts import services;"
            "services.sign_up(login='queued@example.com', password='queued-user-pass-1')"
        )
        env = {**production_env, "DJANGO_SETTINGS_MODULE": "zizhu.config.settings"}
        subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, check=True, timeout=60)
        mail_dir = tmp_path / "mail"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (mail_dir.exists() and any(mail_dir.iterdir())):
            time.sleep(0.2)
        messages = [p.read_text() for p in mail_dir.iterdir()] if mail_dir.exists() else []
        assert len(messages) == 1, "the worker sent the welcome e-mail once"
        assert "queued@example.com" in messages[0]
    finally:
        _stop(worker)
