"""`manage.py run --https` makes a local certificate once and serves the shop over TLS."""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography import x509

from zizhu.core.crypto import ensure_local_certificate

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.smoke
def test_the_local_certificate_is_made_once_for_localhost(tmp_path):
    cert, key = ensure_local_certificate(tmp_path / "tls")
    first = cert.read_bytes()
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    again, _key = ensure_local_certificate(tmp_path / "tls")
    assert again.read_bytes() == first  # kept, not regenerated
    names = x509.load_pem_x509_certificate(first).extensions.get_extension_for_class(x509.SubjectAlternativeName)
    assert "localhost" in names.value.get_values_for_type(x509.DNSName)
    assert [str(ip) for ip in names.value.get_values_for_type(x509.IPAddress)] == ["127.0.0.1", "::1"]


def test_run_https_serves_tls_with_the_generated_certificate(tmp_path):
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}},
        "ZIZHU_VAR_DIR": str(tmp_path),
        "SQLITE_PATH": str(tmp_path / "https.sqlite3"),
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run", "--https", "--no-demo", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        cert_path = tmp_path / "tls" / "localhost.crt"
        context = ssl.create_default_context()
        deadline = time.monotonic() + 90
        response = b""
        while time.monotonic() < deadline and not response:
            if process.poll() is not None:
                raise AssertionError(process.stdout.read().decode()[-3000:])
            if not cert_path.exists():
                time.sleep(0.3)
                continue
            context.load_verify_locations(cert_path)  # trust exactly the generated certificate
            try:
                with (
                    socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
                    context.wrap_socket(raw, server_hostname="localhost") as tls,
                ):
                    peer = tls.getpeercert(binary_form=True)
                    tls.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    while chunk := tls.recv(65536):
                        response += chunk
            except (ConnectionRefusedError, ConnectionResetError, ssl.SSLError, TimeoutError):
                time.sleep(0.3)
        assert response.startswith(b"HTTP/1.1 200"), response[:200]
        assert b'"status": "ok"' in response
        served = x509.load_der_x509_certificate(peer)
        assert served == x509.load_pem_x509_certificate(cert_path.read_bytes())
    finally:
        process.terminate()
        try:
            output = process.communicate(timeout=15)[0].decode()
        except subprocess.TimeoutExpired:
            process.kill()
            output = process.communicate()[0].decode()
    assert f"https://127.0.0.1:{port}/" in output
