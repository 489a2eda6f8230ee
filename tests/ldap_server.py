"""A real OpenLDAP `slapd` for tests: started per test session on a free loopback port with a temporary slapd.conf
(mdb backend, memberof + refint overlays), seeded over LDAP so the overlays maintain `memberOf`.

Reusable from any test package (directory tests, browser journeys, benchmarks)::

    from tests.ldap_server import ldap_server, ldap_settings  # noqa: F401  (pytest fixtures)

Two suffixes are served by the standard server:
- ``dc=serambi,dc=test``: OpenLDAP-shaped (inetOrgPerson, groupOfNames, memberOf overlay);
- ``dc=ad,dc=test``: Active-Directory-shaped (sAMAccountName, userPrincipalName, userAccountControl, `user` and
  `group` object classes from a small test schema), for the AD preset.

A second fixture (`ldap_tls_server`) serves StartTLS with a CA and server certificate generated at test time with the
`openssl` command. Every slapd started here is stopped at session end (and at interpreter exit as a safety net).
Tests skip with a clear reason only when the slapd binary is absent.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

SLAPD_CANDIDATES = ("slapd", "/usr/sbin/slapd", "/usr/local/sbin/slapd", "/usr/libexec/slapd")
MODULE_DIRS = ("/usr/lib/ldap", "/usr/lib64/openldap", "/usr/lib/openldap", "/usr/local/libexec/openldap")
SCHEMA_DIRS = ("/etc/ldap/schema", "/etc/openldap/schema", "/usr/local/etc/openldap/schema")

ROOT_PASSWORD = "root-secret"  # noqa: S105 - throwaway test directory
SERVICE_PASSWORD = "service-secret"  # noqa: S105
USER_PASSWORD = "Rahasia-Uji-2026"  # noqa: S105 - password of every seeded test user

BASE = "dc=serambi,dc=test"
PEOPLE = f"ou=people,{BASE}"
GROUPS = f"ou=groups,{BASE}"
SERVICE_DN = f"cn=serambi,ou=services,{BASE}"
AD_BASE = "dc=ad,dc=test"
AD_USERS = f"ou=users,{AD_BASE}"
AD_GROUPS = f"ou=groups,{AD_BASE}"
AD_SERVICE_DN = f"cn=svc-serambi,{AD_USERS}"

# Valid 18-digit NIPs (birth date + CPNS start month + gender digit + sequence).
NIP_SITI = "198503142010022001"
NIP_BUDI = "198001012005011002"
NIP_DEWI = "199002202015032003"
NIP_RINA = "198811112012122004"
NIP_AD_JOKO = "197707072002121005"

AD_SCHEMA = """
attributetype ( 1.3.6.1.4.1.55555.1.1 NAME 'sAMAccountName'
  EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.3.6.1.4.1.55555.1.2 NAME 'userPrincipalName'
  EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.3.6.1.4.1.55555.1.3 NAME 'userAccountControl'
  EQUALITY integerMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
attributetype ( 1.3.6.1.4.1.55555.1.4 NAME 'employeeID'
  EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.3.6.1.4.1.55555.1.5 NAME 'objectCategory'
  EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.3.6.1.4.1.55555.1.6 NAME 'department'
  EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
objectclass ( 1.3.6.1.4.1.55555.2.1 NAME 'user' SUP inetOrgPerson STRUCTURAL
  MAY ( sAMAccountName $ userPrincipalName $ userAccountControl $ employeeID $ objectCategory $ department ) )
objectclass ( 1.3.6.1.4.1.55555.2.2 NAME 'group' SUP groupOfNames STRUCTURAL
  MAY ( sAMAccountName $ objectCategory ) )
"""


def find_slapd() -> str | None:
    for candidate in SLAPD_CANDIDATES:
        path = shutil.which(candidate) or (candidate if os.path.isfile(candidate) else None)
        if path and os.access(path, os.X_OK):
            return path
    return None


def _first_dir(candidates) -> str:
    for d in candidates:
        if os.path.isdir(d):
            return d
    return candidates[0]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_RUNNING: set[SlapdServer] = set()


@atexit.register
def _stop_all() -> None:  # safety net: no stray slapd even if a session is interrupted
    for server in list(_RUNNING):
        server.stop()


@dataclass
class Database:
    suffix: str
    member_oc: str = "groupOfNames"
    indexes: tuple[str, ...] = ("uid", "mail", "employeeNumber", "member", "memberOf", "cn")
    service_dn: str = ""  # the read-everything service account; default: the standard seed's


@dataclass(eq=False)
class SlapdServer:
    workdir: Path
    databases: list[Database] = field(
        default_factory=lambda: [Database(BASE), Database(AD_BASE, member_oc="group", indexes=_AD_INDEXES)]
    )
    tls: dict | None = None  # {"cert": path, "key": path, "ca": path}
    extra_schema: str = ""  # more schema text, loaded after the AD test schema (e.g. tests/ldap_ad.py)
    port: int = 0
    process: subprocess.Popen | None = None

    @property
    def uri(self) -> str:
        return f"ldap://127.0.0.1:{self.port}"

    def root_dn(self, suffix: str = BASE) -> str:
        return f"cn=admin,{suffix}"

    # --- configuration --------------------------------------------------------------------------------------------
    def write_config(self) -> Path:
        self.workdir.mkdir(parents=True, exist_ok=True)
        schema_dir = _first_dir(SCHEMA_DIRS)
        (self.workdir / "serambi-ad.schema").write_text(AD_SCHEMA)
        lines = [
            f"include {schema_dir}/core.schema",
            f"include {schema_dir}/cosine.schema",
            f"include {schema_dir}/inetorgperson.schema",
            f"include {self.workdir}/serambi-ad.schema",
            *([f"include {self._extra_schema_file()}"] if self.extra_schema else []),
            f"modulepath {_first_dir(MODULE_DIRS)}",
            "moduleload back_mdb",
            "moduleload memberof",
            "moduleload refint",
            f"pidfile {self.workdir}/slapd.pid",
            f"argsfile {self.workdir}/slapd.args",
            "sizelimit unlimited",
            "loglevel none",
        ]
        if self.tls:
            lines += [
                f"TLSCACertificateFile {self.tls['ca']}",
                f"TLSCertificateFile {self.tls['cert']}",
                f"TLSCertificateKeyFile {self.tls['key']}",
            ]
        for i, db in enumerate(self.databases):
            dbdir = self.workdir / f"db{i}"
            dbdir.mkdir(exist_ok=True)
            service = db.service_dn or (SERVICE_DN if db.suffix == BASE else f"cn=svc-serambi,ou=users,{db.suffix}")
            lines += [
                "",
                "database mdb",
                f'suffix "{db.suffix}"',
                f'rootdn "{self.root_dn(db.suffix)}"',
                f"rootpw {ROOT_PASSWORD}",
                f"directory {dbdir}",
                "maxsize 4294967296",
                "index objectClass eq",
                *[f"index {a} eq" for a in db.indexes],
                "overlay memberof",
                f"memberof-group-oc {db.member_oc}",
                "memberof-member-ad member",
                "memberof-memberof-ad memberOf",
                "memberof-refint TRUE",
                "overlay refint",
                "refint_attributes member",
                "access to attrs=userPassword by self write by anonymous auth by * none",
                f'access to * by dn.exact="{service}" read by self read by * none',
            ]
        conf = self.workdir / "slapd.conf"
        conf.write_text("\n".join(lines) + "\n")
        return conf

    def _extra_schema_file(self) -> Path:
        path = self.workdir / "serambi-extra.schema"
        path.write_text(self.extra_schema)
        return path

    # --- lifecycle ------------------------------------------------------------------------------------------------
    def slapadd(self, ldif: Path, suffix: str = BASE) -> None:
        """Offline bulk load (before start): fast, but overlays do not run, so precompute memberOf if needed."""
        conf = self.write_config()
        slapadd = shutil.which("slapadd") or "/usr/sbin/slapadd"
        subprocess.run([slapadd, "-q", "-f", str(conf), "-b", suffix, "-l", str(ldif)], check=True)

    def start(self, timeout: float = 15.0) -> SlapdServer:
        slapd = find_slapd()
        if not slapd:
            raise RuntimeError("slapd binary not found")
        conf = self.workdir / "slapd.conf"
        if not conf.exists():
            conf = self.write_config()
        last_error = ""
        for _attempt in range(3):
            self.port = self.port or free_port()
            log = open(self.workdir / "slapd.log", "ab")  # noqa: SIM115 - kept open for the life of the process
            # -d 0 keeps slapd in the foreground (our child), so stopping it is a plain terminate().
            self.process = subprocess.Popen(
                [slapd, "-f", str(conf), "-h", f"ldap://127.0.0.1:{self.port}/", "-d", "0"],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            log.close()
            _RUNNING.add(self)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    break
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
                time.sleep(0.05)
            last_error = (self.workdir / "slapd.log").read_text(errors="replace")[-2000:]
            self.stop()
            self.port = 0
        hint = ""
        if "ermission denied" in last_error:
            hint = " (on Ubuntu, AppArmor confines slapd to its own paths: `aa-complain /usr/sbin/slapd` in CI)"
        raise RuntimeError(f"slapd did not start{hint}: {last_error}")

    def stop(self) -> None:
        proc = self.process
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        self.process = None
        _RUNNING.discard(self)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    # --- data -----------------------------------------------------------------------------------------------------
    def admin_connection(self, suffix: str = BASE):
        import ldap3

        server = ldap3.Server(self.uri, get_info=ldap3.NONE, connect_timeout=5)
        return ldap3.Connection(
            server, user=self.root_dn(suffix), password=ROOT_PASSWORD, auto_bind=True, raise_exceptions=True
        )

    def add_entries(self, entries: list[tuple[str, dict]], suffix: str = BASE) -> None:
        conn = self.admin_connection(suffix)
        try:
            for dn, attrs in entries:
                attrs = dict(attrs)
                object_class = attrs.pop("objectClass")
                conn.add(dn, object_class, attrs)
        finally:
            conn.unbind()

    def load_ldif(self, path: Path, suffix: str = BASE) -> None:
        """Load an LDIF file through the running server (overlays run) with ldapadd from ldap-utils."""
        ldapadd = shutil.which("ldapadd") or "/usr/bin/ldapadd"
        subprocess.run(
            [ldapadd, "-x", "-H", self.uri, "-D", self.root_dn(suffix), "-w", ROOT_PASSWORD, "-f", str(path)],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def delete_subtree(self, dn: str, suffix: str = BASE) -> None:
        import ldap3

        conn = self.admin_connection(suffix)
        try:
            conn.search(dn, "(objectClass=*)", search_scope=ldap3.SUBTREE, attributes=["1.1"])
            dns = sorted((e.entry_dn for e in conn.entries), key=lambda d: -d.count(","))
            for d in dns:
                conn.delete(d)
        finally:
            conn.unbind()


_AD_INDEXES = ("sAMAccountName", "userPrincipalName", "mail", "employeeID", "member", "memberOf", "cn")


# --- seed data ------------------------------------------------------------------------------------------------------
def person(uid, given, sn, nip="", *, mail=None, unit="", title="", phone="", base=PEOPLE, password=USER_PASSWORD):
    attrs = {
        "objectClass": ["inetOrgPerson"],
        "uid": uid,
        "cn": f"{given} {sn}",
        "givenName": given,
        "sn": sn,
        "mail": mail or f"{uid}@kemencontoh.go.id",
        "userPassword": password,
    }
    if nip:
        attrs["employeeNumber"] = nip
    if unit:
        attrs["departmentNumber"] = unit
    if title:
        attrs["title"] = title
    if phone:
        attrs["telephoneNumber"] = phone
    return (f"uid={uid},{base}", attrs)


def group(cn, members, base=GROUPS, object_class="groupOfNames"):
    return (f"cn={cn},{base}", {"objectClass": [object_class], "cn": cn, "member": list(members)})


def uid_dn(uid: str) -> str:
    return f"uid={uid},{PEOPLE}"


def standard_entries() -> list[tuple[str, dict]]:
    """The OpenLDAP-shaped seed used by the directory tests."""
    people = [
        person("siti", "Siti", "Rahma", NIP_SITI, unit="DIR1", title="Analis Kepegawaian", phone="021-555 0101"),
        person("budi", "Budi", "Santoso", NIP_BUDI, unit="SUB1", title="Kepala Subdirektorat"),
        person("dewi", "Dewi", "Lestari", NIP_DEWI, unit="DIR2"),
        person("rina", "Rina", "Utami", NIP_RINA),
        person("outsider", "Orang", "Luar"),
        person("blocked", "Diblokir", "Sementara"),
        person("admin", "Directory", "Admin"),  # same name as the local break-glass account: must never take it over
        person("star", "Bintang", "Asterisk", mail="star@kemencontoh.go.id"),
    ]
    everyone = [dn for dn, _ in people if not dn.startswith("uid=outsider")]
    groups = [
        group("serambi-users", everyone),
        group("blocked", [uid_dn("blocked")]),
        group("pegawai", [uid_dn(u) for u in ("siti", "budi", "dewi", "rina")]),
        group("sdm", [uid_dn("budi"), f"cn=nobody,{PEOPLE}"]),  # groupOfNames needs a member when budi leaves
        group("humas", [uid_dn("dewi")]),
        group("editors", [f"cn=humas,{GROUPS}"]),  # nested: dewi is an editor through humas
        group("cycle-a", [uid_dn("rina"), f"cn=cycle-b,{GROUPS}"]),
        group("cycle-b", [f"cn=cycle-a,{GROUPS}"]),
        group("moderators", [f"cn=cycle-b,{GROUPS}"]),
    ]
    # cycle-a ⟷ cycle-b is a membership loop the client-side resolver must survive.
    return [
        (BASE, {"objectClass": ["dcObject", "organization"], "dc": "serambi", "o": "Serambi Test"}),
        (PEOPLE, {"objectClass": ["organizationalUnit"], "ou": "people"}),
        (GROUPS, {"objectClass": ["organizationalUnit"], "ou": "groups"}),
        (f"ou=services,{BASE}", {"objectClass": ["organizationalUnit"], "ou": "services"}),
        (
            SERVICE_DN,
            {
                "objectClass": ["organizationalRole", "simpleSecurityObject"],
                "cn": "serambi",
                "userPassword": SERVICE_PASSWORD,
            },
        ),
        *people,
        *groups,
    ]


def ad_entries() -> list[tuple[str, dict]]:
    def ad_user(sam, given, sn, nip="", uac=512):
        attrs = {
            "objectClass": ["user"],
            "objectCategory": "person",
            "cn": f"{given} {sn}",
            "givenName": given,
            "sn": sn,
            "sAMAccountName": sam,
            "userPrincipalName": f"{sam}@ad.kemencontoh.go.id",
            "mail": f"{sam.lower()}@kemencontoh.go.id",
            "userAccountControl": str(uac),
            "userPassword": USER_PASSWORD,
            "department": "Direktorat Satu",
            "departmentNumber": "DIR1",
        }
        if nip:
            attrs["employeeID"] = nip
        return (f"cn={given} {sn},{AD_USERS}", attrs)

    users = [
        ad_user("JWidodo", "Joko", "Widodo", NIP_AD_JOKO),
        ad_user("mati", "Akun", "Nonaktif", uac=514),  # ACCOUNTDISABLE bit set
    ]
    return [
        (AD_BASE, {"objectClass": ["dcObject", "organization"], "dc": "ad", "o": "AD Test"}),
        (AD_USERS, {"objectClass": ["organizationalUnit"], "ou": "users"}),
        (AD_GROUPS, {"objectClass": ["organizationalUnit"], "ou": "groups"}),
        (
            AD_SERVICE_DN,
            {
                "objectClass": ["user"],
                "cn": "svc-serambi",
                "sn": "service",
                "sAMAccountName": "svc-serambi",
                "userPassword": SERVICE_PASSWORD,
            },
        ),
        *users,
        group("GG-Pegawai", [users[0][0], users[1][0]], base=AD_GROUPS, object_class="group"),
        group("GG-SDM", [users[0][0]], base=AD_GROUPS, object_class="group"),
    ]


# --- TLS material -----------------------------------------------------------------------------------------------------
def make_ca(directory: Path, name: str) -> tuple[Path, Path]:
    key, cert = directory / f"{name}.key", directory / f"{name}.crt"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", f"/CN={name}",
         "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def make_server_cert(directory: Path, ca_cert: Path, ca_key: Path) -> tuple[Path, Path]:
    key, csr, cert = directory / "server.key", directory / "server.csr", directory / "server.crt"
    ext = directory / "server.ext"
    ext.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
    subprocess.run(
        ["openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(csr), "-subj", "/CN=localhost"],
        check=True, capture_output=True,
    )  # fmt: skip
    subprocess.run(
        ["openssl", "x509", "-req", "-in", str(csr), "-CA", str(ca_cert), "-CAkey", str(ca_key), "-CAcreateserial",
         "-out", str(cert), "-days", "2", "-extfile", str(ext)],
        check=True, capture_output=True,
    )  # fmt: skip
    os.chmod(key, 0o600)
    return cert, key


def start_standard_server(workdir: Path, *, tls: dict | None = None) -> SlapdServer:
    server = SlapdServer(workdir=workdir, tls=tls).start()
    try:
        server.add_entries(standard_entries())
        server.add_entries(ad_entries(), suffix=AD_BASE)
    except Exception:
        server.stop()
        raise
    return server


# --- pytest fixtures ----------------------------------------------------------------------------------------------------
def _require_slapd() -> None:
    if not find_slapd():
        pytest.skip(
            "OpenLDAP slapd is not installed (apt-get install slapd ldap-utils); directory tests need a real slapd"
        )


@pytest.fixture(scope="session")
def ldap_server(tmp_path_factory):
    """The shared seeded directory for the whole session. Do not stop it in a test: use `ldap_private_server`."""
    _require_slapd()
    server = start_standard_server(tmp_path_factory.mktemp("slapd"))
    yield server
    server.stop()


@pytest.fixture
def ldap_private_server(tmp_path_factory):
    """A seeded directory of the test's own, free to be stopped mid-test (directory-outage tests)."""
    _require_slapd()
    server = start_standard_server(tmp_path_factory.mktemp("slapd-private"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def ldap_tls_server(tmp_path_factory):
    """A seeded directory that offers StartTLS with a server certificate signed by a CA generated for this session.
    Yields (server, trusted_ca_path, untrusted_ca_path)."""
    _require_slapd()
    if not shutil.which("openssl"):
        pytest.skip("the openssl command is needed to generate test certificates")
    work = tmp_path_factory.mktemp("slapd-tls")
    ca_cert, ca_key = make_ca(work, "serambi-test-ca")
    rogue_cert, _rogue_key = make_ca(work, "rogue-ca")
    cert, key = make_server_cert(work, ca_cert, ca_key)
    server = start_standard_server(work / "srv", tls={"cert": cert, "key": key, "ca": ca_cert})
    yield server, ca_cert, rogue_cert
    server.stop()


def directory_settings(server: SlapdServer, **overrides) -> dict:
    """Settings that point Serambi's backend at `server` (OpenLDAP preset)."""
    values = {
        "LDAP_ENABLED": True,
        "LDAP_SERVER_URIS": [server.uri],
        "LDAP_PRESET": "openldap",
        "LDAP_BIND_DN": SERVICE_DN,
        "LDAP_BIND_PASSWORD": SERVICE_PASSWORD,
        "LDAP_BASE_DN": BASE,
        "LDAP_USER_BASE_DN": PEOPLE,
        "LDAP_GROUP_BASE_DN": GROUPS,
        "LDAP_USER_FILTER": "",
        "LDAP_USER_OBJECT_FILTER": "",
        "LDAP_ATTRIBUTE_MAP": {},
        "LDAP_REQUIRED_GROUP": "",
        "LDAP_DENY_GROUP": "",
        "LDAP_START_TLS": False,
        "LDAP_CA_FILE": "",
        "LDAP_INSECURE_SKIP_TLS_VERIFY": False,
        "LDAP_CONNECT_TIMEOUT": 2,
        "LDAP_RECEIVE_TIMEOUT": 5,
        "LDAP_PAGE_SIZE": 500,
        "LDAP_NESTED_GROUPS": True,
        "LDAP_DEFAULT_ROLES": ["Pegawai"],
        "LDAP_GROUP_ROLE_MAP": [],
    }
    values.update(overrides)
    return values


@pytest.fixture
def ldap_settings(settings, ldap_server):
    """Point the directory backend at the shared slapd (OpenLDAP preset). Returns a function to override more."""
    backends = list(settings.AUTHENTICATION_BACKENDS)
    ldap_backend = "intranet.accounts.ldap.backend.DirectoryBackend"
    if ldap_backend not in backends:  # as in settings.py: right before ModelBackend (after any lockout backend)
        model_backend = "django.contrib.auth.backends.ModelBackend"
        at = backends.index(model_backend) if model_backend in backends else 0
        settings.AUTHENTICATION_BACKENDS = [*backends[:at], ldap_backend, *backends[at:]]

    def apply(server=ldap_server, **overrides):
        for key, value in directory_settings(server, **overrides).items():
            setattr(settings, key, value)
        return settings

    apply()
    return apply
