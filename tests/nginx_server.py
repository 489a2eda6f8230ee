"""The shipped nginx config (deploy/nginx/serambi.conf), run for real in front of the test's live server.

Usage, in a test module:

    from tests.nginx_server import nginx  # noqa: F401 (fixture)

    @pytest.mark.django_db(transaction=True)
    def test_something(nginx):
        response = nginx.get("/media/images/x.jpg")          # or requests/urllib against nginx.base_url
        assert "..." in nginx.access_log.read_text()

`nginx` yields an NginxServer: base_url (https://127.0.0.1:<port>, self-signed certificate made with openssl),
http_url (the port-80 server), access_log and error_log (paths), media_root and private_root (the folders nginx
serves /media/images/ and /_private/ from: the test's MEDIA_ROOT and PRIVATE_MEDIA_ROOT). The config is rendered
with only addresses and paths replaced; everything else is the file as shipped. Skipped, with the reason, when
/usr/sbin/nginx or openssl is missing.
"""

import os
import re
import shutil
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

NGINX = os.environ.get("SERAMBI_TEST_NGINX", "/usr/sbin/nginx")
CONF = Path(__file__).resolve().parent.parent / "deploy" / "nginx" / "serambi.conf"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Response:
    status_code: int
    headers: dict
    body: bytes


@dataclass
class NginxServer:
    base_url: str
    http_url: str
    access_log: Path
    error_log: Path
    media_root: Path
    private_root: Path
    prefix: Path

    def get(self, path: str, headers: dict | None = None) -> Response:
        """GET through nginx (TLS, certificate not verified: it is the self-signed test one); redirects not followed."""
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), _NoRedirect())
        request = urllib.request.Request(self.base_url + path, headers=headers or {})  # noqa: S310 (https test URL)
        try:
            with opener.open(request, timeout=20) as r:
                return Response(r.status, {k.lower(): v for k, v in r.headers.items()}, r.read())
        except urllib.error.HTTPError as e:
            return Response(e.code, {k.lower(): v for k, v in e.headers.items()}, e.read())

    def log_lines(self, containing: str = "", at_least: int = 0, timeout: float = 5.0) -> list[str]:
        """Access log lines (with `containing`), waiting up to `timeout` for `at_least` of them: nginx writes a
        line once the response is sent, which may be just after the client has read it."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.access_log.read_text() if self.access_log.exists() else ""
            lines = [line for line in text.splitlines() if containing in line]
            if len(lines) >= at_least or time.monotonic() > deadline:
                return lines
            time.sleep(0.05)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def render(upstream: str, https_port: int, http_port: int, prefix: Path, media: Path, private: Path) -> str:
    """deploy/nginx/serambi.conf with addresses and paths for a test; fails loudly if the file's shape changed."""
    text = CONF.read_text()
    replacements = [
        (r"server web:8000;", f"server {upstream};"),
        (r"listen 80;", f"listen 127.0.0.1:{http_port};"),
        (r"listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        (r"/etc/nginx/tls/serambi\.crt", str(prefix / "tls.crt")),
        (r"/etc/nginx/tls/serambi\.key", str(prefix / "tls.key")),
        (r"/var/lib/serambi/media/", f"{media}/"),
        (r"/var/lib/serambi/private/", f"{private}/"),
        (r"/var/log/nginx/access\.log serambi", f"{prefix / 'access.log'} serambi"),
    ]
    for pattern, value in replacements:
        text, count = re.subn(pattern, value.replace("\\", "\\\\"), text)
        assert count, f"deploy/nginx/serambi.conf no longer contains {pattern!r}; update tests/nginx_server.py"
    return text


def _main_conf(prefix: Path, site: Path) -> str:
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must read the test's (private) temp folders
    temp = "\n".join(
        f"    {name}_temp_path {prefix / name};" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"{user}daemon off;\nworker_processes 1;\npid {prefix / 'nginx.pid'};\nerror_log {prefix / 'error.log'} info;\n"
        "events { worker_connections 64; }\n"
        "http {\n"
        "    include /etc/nginx/mime.types;\n"
        "    default_type application/octet-stream;\n"
        f"    access_log {prefix / 'default-access.log'};\n"
        f"{temp}\n"
        f"    include {site};\n"
        "}\n"
    )


def _wait_for(port: int, proc: subprocess.Popen, error_log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"nginx exited: {error_log.read_text() if error_log.exists() else ''}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError("nginx did not start listening")


def start_nginx(upstream: str, prefix: Path, media: Path, private: Path):
    """Start nginx for `upstream` (host:port); returns (NginxServer, Popen). Stop it with stop_nginx()."""
    if not Path(NGINX).exists():
        pytest.skip(f"{NGINX} is not installed (apt-get install nginx); the shipped nginx config cannot be run")
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed; no test certificate can be made for nginx")
    prefix.mkdir(parents=True, exist_ok=True)
    for folder in (media, private):
        folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
            "-keyout", str(prefix / "tls.key"), "-out", str(prefix / "tls.crt"),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    https_port, http_port = _free_port(), _free_port()
    site = prefix / "serambi.conf"
    site.write_text(render(upstream, https_port, http_port, prefix, media, private))
    main = prefix / "nginx.conf"
    main.write_text(_main_conf(prefix, site))
    check = subprocess.run([NGINX, "-t", "-p", str(prefix), "-c", str(main)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    proc = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(main)], stderr=subprocess.PIPE)
    server = NginxServer(
        base_url=f"https://127.0.0.1:{https_port}",
        http_url=f"http://127.0.0.1:{http_port}",
        access_log=prefix / "access.log",
        error_log=prefix / "error.log",
        media_root=media,
        private_root=private,
        prefix=prefix,
    )
    try:
        _wait_for(https_port, proc, server.error_log)
    except Exception:
        stop_nginx(proc)
        raise
    return server, proc


def stop_nginx(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()  # SIGTERM: fast shutdown of this master and its workers only
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if proc.stderr:
        proc.stderr.close()


@pytest.fixture
def nginx(live_server, settings, tmp_path):
    """The shipped nginx config in front of pytest-django's live server (needs a transactional database test)."""
    upstream = live_server.url.split("//", 1)[1].replace("localhost", "127.0.0.1")
    server, proc = start_nginx(
        upstream, tmp_path / "nginx", Path(settings.MEDIA_ROOT), Path(settings.PRIVATE_MEDIA_ROOT)
    )
    try:
        yield server
    finally:
        stop_nginx(proc)
