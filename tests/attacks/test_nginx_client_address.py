"""The shipped nginx config, run for real on loopback in front of the app: the address the app records is the one
the client connected from, whatever X-Forwarded-For the client sends.

The client connects from 127.0.0.3; nginx reaches the app from 127.0.0.1. Calls with a bad API token are audited with
the client's address and counted by it, so forged headers neither hide the caller nor reset its count."""

import http.client
import re
import shutil
import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest

from intranet.audit.models import AuditEntry
from tests.ldap_server import free_port

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
CLIENT = "127.0.0.3"

pytestmark = pytest.mark.skipif(NGINX is None or shutil.which("openssl") is None, reason="needs nginx and openssl")


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.3):
            return True
    except OSError:
        return False


@pytest.fixture
def nginx(live_server, tmp_path):
    """deploy/nginx/serambi.conf as shipped, with only its addresses, ports and file locations made local."""
    host, port = re.match(r"https?://([^:]+):(\d+)", live_server.url).groups()
    https, plain = free_port(), free_port()
    tls = tmp_path / "tls"
    tls.mkdir()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-keyout", str(tls / "serambi.key"), "-out", str(tls / "serambi.crt")],
        check=True, capture_output=True,
    )  # fmt: skip
    conf = (ROOT / "deploy/nginx/serambi.conf").read_text()
    conf = conf.replace("server web:8000;", f"server {host}:{port};")
    conf = conf.replace("listen 443 ssl;", f"listen 127.0.0.1:{https} ssl;").replace("listen 80;", f"listen 127.0.0.1:{plain};")
    conf = conf.replace("http2 on;", "")  # Debian 12's nginx 1.22 predates the directive; HTTP/1.1 is what we test
    conf = conf.replace("/etc/nginx/tls/", f"{tls}/").replace("/var/lib/serambi/", f"{tmp_path}/files/")
    (tmp_path / "serambi.conf").write_text(conf)
    (tmp_path / "nginx.conf").write_text(
        f"worker_processes 1; pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log; daemon off;\n"
        f"events {{}}\nhttp {{ access_log off; client_body_temp_path {tmp_path}/body; proxy_temp_path {tmp_path}/proxy;\n"
        f"include {tmp_path}/serambi.conf; }}\n"
    )
    proc = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],  # noqa: S603
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 10
    while not _answers(https):
        assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "error.log").read_text()
        time.sleep(0.1)
    yield https
    proc.terminate()
    proc.wait(10)


def _get(port: int, path: str, headers: dict) -> int:
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # a throwaway self-signed certificate
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, source_address=(CLIENT, 0), timeout=10)
    try:
        conn.request("GET", path, headers=headers)
        return conn.getresponse().status
    finally:
        conn.close()


@pytest.mark.django_db(transaction=True)
def test_through_the_shipped_nginx_the_app_sees_the_client(nginx, settings):
    settings.SERAMBI_TRUSTED_PROXY_COUNT = 1
    settings.SERAMBI_API_ANONYMOUS_LIMIT = 2
    settings.ALLOWED_HOSTS = ["*"]
    statuses = [
        _get(nginx, "/api/v1/units", {"Authorization": "Bearer tebakan", "X-Forwarded-For": f"198.51.100.{n}"})
        for n in range(4)
    ]
    assert statuses == [401, 401, 429, 429], "forged headers did not give the caller a fresh count"
    first = AuditEntry.objects.filter(action="api.call").get()
    assert first.ip == CLIENT, "the trail names the client, not nginx nor a forged address"
