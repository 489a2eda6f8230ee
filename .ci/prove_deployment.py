"""Prove the deployment as deploy/README.md describes it, without Docker: build the wheel, install it into a fresh
virtualenv from the hashed lock, run migrate, collectstatic and `check --deploy` with production settings, start
gunicorn from the installed package behind Debian's nginx with the shipped deploy/nginx/serambi.conf on loopback (a
self-signed certificate), then check what a ministry relies on:

- the login page over HTTPS, and plain HTTP redirected to it;
- a static file with far-future caching, from the installed package's collected files;
- a private file only through X-Accel-Redirect after login (the bytes nginx sends are the file's), never directly,
  never to an anonymous user;
- /media/ serving neither private files nor CMS documents;
- no demo accounts (the deploy check refuses them; the database has none).

Usage: .venv/bin/python .ci/prove_deployment.py   (needs nginx, openssl and PostgreSQL; nginx is started by the
tests' harness, tests/nginx_server.py, which renders the shipped config with only addresses and paths replaced)
"""

import http.cookiejar
import os
import re
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from tests.nginx_server import start_nginx  # noqa: E402 - the one renderer of the shipped config

PG = os.environ.get("PROOF_POSTGRES", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "serambi_deploy_proof"
PASSWORD = secrets.token_urlsafe(16)
NIP = "198501012010011001"  # born 1 Jan 1985, CPNS from Jan 2010, male, sequence 001
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n" + (
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(*cmd, env=None, **kw) -> str:
    print("$", " ".join(str(c) for c in cmd), flush=True)
    done = subprocess.run([str(c) for c in cmd], env=env, capture_output=True, text=True, **kw)
    if done.returncode:
        sys.exit(f"failed ({done.returncode}):\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}")
    return done.stdout


def wait_for(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.3)
    sys.exit(f"nothing listens on {port} after {seconds} s")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def check(condition: bool, what: str) -> None:
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        check.failed = True


check.failed = False


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="serambi-proof-"))
    procs: list[subprocess.Popen] = []
    try:
        prove(work, procs)
    finally:
        for p in procs:
            p.terminate()  # nginx (SIGTERM: fast shutdown) and gunicorn
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
        if not check.failed:
            shutil.rmtree(work, ignore_errors=True)
    if check.failed:
        sys.exit(f"the deployment proof failed; logs in {work}")
    print("the deployment proof passed")


def agency_signer(work: Path) -> dict:
    """A PKCS#12 signer certificate as an agency would configure it (production refuses the demo CA's)."""
    folder = work / "signer"
    folder.mkdir()
    run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
        "-subj", "/CN=Serambi deployment proof", "-keyout", folder / "key.pem", "-out", folder / "cert.pem")
    run("openssl", "pkcs12", "-export", "-inkey", folder / "key.pem", "-in", folder / "cert.pem",
        "-out", folder / "signer.p12", "-passout", "pass:proof-signer")
    return {"SERAMBI_SIGNER": "pkcs12", "SERAMBI_SIGNER_PKCS12_PATH": str(folder / "signer.p12"),
            "SERAMBI_SIGNER_PKCS12_PASSPHRASE": "proof-signer", "SERAMBI_SIGNER_TRUST_ROOTS": str(folder / "cert.pem")}


def prove(work: Path, procs: list) -> None:
    # 1. The wheel, installed into a fresh virtualenv from the hashed lock.
    run(REPO / ".venv/bin/pip", "wheel", "-q", "--no-deps", "-w", work / "dist", REPO)
    wheel = next((work / "dist").glob("serambi-*.whl"))
    venv = work / "venv"
    run(sys.executable, "-m", "venv", venv)
    run(venv / "bin/pip", "install", "-q", "--require-hashes", "-r", REPO / "requirements/runtime.txt")
    run(venv / "bin/pip", "install", "-q", "--no-deps", wheel)
    site = Path(run(venv / "bin/python", "-c", "import serambi_site; print(list(serambi_site.__path__)[0])").strip())

    # 2. Production settings; state under a folder of its own, outside the checkout.
    var = work / "var"
    (var / "media").mkdir(parents=True)
    run("psql", f"{PG}/postgres", "-qc", f"DROP DATABASE IF EXISTS {DB_NAME}")
    run("psql", f"{PG}/postgres", "-qc", f"CREATE DATABASE {DB_NAME}")
    gunicorn_port = free_port()
    env = {
        "PATH": f"{venv / 'bin'}:{os.environ['PATH']}",
        "HOME": str(work),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "AUDIT_HMAC_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"{PG}/{DB_NAME}",
        "SERAMBI_VAR_DIR": str(var),
        "MEDIA_ROOT": str(var / "media"),
        "PRIVATE_MEDIA_ROOT": str(var / "private"),
        "PRIVATE_MEDIA_X_ACCEL_PREFIX": "/_private/",
        "STATIC_ROOT": str(var / "static"),
        "SERAMBI_TRUSTED_PROXY_COUNT": "1",
        "GUNICORN_BIND": f"127.0.0.1:{gunicorn_port}",
        "GUNICORN_WORKERS": "2",
        **agency_signer(work),
    }
    os.chdir(work)  # nothing may depend on running from the checkout
    serambi = venv / "bin/serambi"
    run(serambi, "migrate", "--noinput", env=env)
    run(serambi, "collectstatic", "--noinput", env=env)
    # backups encrypted to a key pair made by the installed package, the secret key kept outside its state
    env["SERAMBI_BACKUP_RECIPIENTS"] = run(serambi, "backup_keygen", work / "backup.key", env=env).strip()
    run(serambi, "check", "--deploy", "--fail-level", "WARNING", env=env)
    out = run(serambi, "shell", "-c", SETUP, env={**env, "PROOF_PASSWORD": PASSWORD})
    doc_pk, storage_name = out.strip().splitlines()[-1].split()

    # 3. nginx with the shipped config in front of gunicorn from the installed package.
    server, nginx = start_nginx(f"127.0.0.1:{gunicorn_port}", work / "nginx", var / "media", var / "private")
    procs.append(nginx)
    env["CSRF_TRUSTED_ORIGINS"] = server.base_url
    log = open(work / "gunicorn.log", "w")
    procs.append(
        subprocess.Popen(
            [venv / "bin/gunicorn", "-c", site / "deploy/gunicorn.conf.py", "intranet.wsgi:application"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    )
    wait_for(gunicorn_port)

    # 4. What a ministry relies on.
    base = server.base_url
    tls_ctx = ssl.create_default_context(cafile=str(server.prefix / "tls.crt"))  # the harness's self-signed one
    tls_ctx.check_hostname = False  # it names 127.0.0.1 as its common name only
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=tls_ctx), urllib.request.HTTPCookieProcessor(jar)
    )
    anonymous = urllib.request.build_opener(urllib.request.HTTPSHandler(context=tls_ctx), NoRedirect())

    def fetch(opener, path, data=None):
        try:
            r = opener.open(urllib.request.Request(base + path, data=data), timeout=30)
            return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    status, headers, body = fetch(browser, "/akun/masuk/")
    check(status == 200 and b"csrfmiddlewaretoken" in body, "the login page answers over HTTPS")
    check("Strict-Transport-Security" in headers, "HSTS is sent")
    plain = urllib.request.build_opener(NoRedirect())
    try:
        plain.open(f"{server.http_url}/akun/masuk/", timeout=10)
        check(False, "plain HTTP is redirected to HTTPS")
    except urllib.error.HTTPError as e:
        check(e.code == 301 and e.headers["Location"].startswith("https://"), "plain HTTP is redirected to HTTPS")

    css = re.search(rb'href="(/static/[^"]+\.css)"', body)
    check(css is not None, "the login page links a hashed stylesheet")
    if css:
        status, headers, _ = fetch(anonymous, css.group(1).decode())
        check(
            status == 200 and "max-age=315360000" in headers.get("Cache-Control", ""),
            f"a static file is served with far-future caching ({headers.get('Cache-Control')})",
        )

    private_path = f"/_private/{storage_name}"
    status, _, _ = fetch(anonymous, private_path)
    check(status == 404, f"the private location is internal (GET {private_path}: {status})")
    for path in (
        f"/media/../private/{storage_name}",
        f"/media/{storage_name}",
        "/media/documents/",
        "/media/photos/",
        "/media/original_images/",
    ):
        status, _, got = fetch(anonymous, path)
        check(
            status in (403, 404) and got != PDF,
            f"/media/ serves no private file or CMS document (GET {path}: {status})",
        )
    status, headers, _ = fetch(anonymous, f"/dokumen/{doc_pk}/unduh/")
    check(
        status == 302 and "/akun/masuk/" in headers.get("Location", ""), "an anonymous download goes to the login page"
    )

    csrf = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": csrf, "username": "pembuktian", "password": PASSWORD}
    ).encode()
    req = urllib.request.Request(base + "/akun/masuk/", data=form, headers={"Referer": base + "/akun/masuk/"})
    browser.open(req, timeout=30).read()
    status, headers, got = fetch(browser, f"/dokumen/{doc_pk}/unduh/")
    check(
        status == 200 and got == PDF, f"after login the file arrives whole through nginx ({status}, {len(got)} bytes)"
    )
    check(
        "private" in headers.get("Cache-Control", "") and headers.get("X-Content-Type-Options") == "nosniff",
        "the private file is sent private, no-store, nosniff",
    )
    check(f"GET /dokumen/{doc_pk}/unduh/" in server.access_log.read_text(), "nginx logged the download")

    users = (
        run(
            serambi,
            "shell",
            "-c",
            "from django.contrib.auth import get_user_model as g; "
            "print(','.join(sorted(g().objects.values_list('username', flat=True))))",
            env=env,
        )
        .strip()
        .splitlines()[-1]
    )
    check(users == "pembuktian", f"no demo accounts in the database (accounts: {users})")


# Runs inside the installed package: one employee with a local password and a Terbatas personnel document about
# herself, stored as the documents app stores files. Prints the document's id and storage name.
SETUP = f"""
import hashlib, os
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from hr.org.models import Employee, OrgUnit
from hr.documents.models import Category, Classification, Document, DocumentVersion
from intranet.core.private_files import private_storage
import datetime as dt
pdf = {PDF!r}
user = get_user_model().objects.create_user("pembuktian", password=os.environ["PROOF_PASSWORD"])
unit = OrgUnit.add_root(code="K", name_id="Kementerian")
emp = Employee.objects.create(user=user, nip="{NIP}", name="Pembuktian", gender="M", birth_date=dt.date(1985, 1, 1),
    employment_type="PNS", unit=unit, tmt_cpns=dt.date(2010, 1, 1))
cat = Category.objects.create(code="sk", name_id="SK", for_personnel_files=True)
doc = Document.objects.create(title="SK", category=cat, classification=Classification.TERBATAS, subject_employee=emp,
    created_by=user)
name = private_storage().save("documents/proof.pdf", ContentFile(pdf))
v = DocumentVersion.objects.create(document=doc, number=1, storage_name=name, original_name="sk.pdf",
    content_type="application/pdf", size=len(pdf), sha256=hashlib.sha256(pdf).hexdigest(), uploaded_by=user)
doc.current_version = v
doc.save()
print()
print(doc.pk, name)
"""

if __name__ == "__main__":
    main()
