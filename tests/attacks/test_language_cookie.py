"""On the production settings (DEBUG off) the language cookie must not travel over plain HTTP nor cross sites: an
attacker on the office network who downgrades a request must not learn or set it. Checked on the response of the routed
set_language view under those settings, in a process of its own (the test process runs the test settings)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import RequestFactory
from django.urls import resolve
request = RequestFactory().post("/i18n/setlang/", {"language": "en", "next": "/akun/masuk/"}, secure=True)
response = resolve("/i18n/setlang/").func(request)
morsel = response.cookies[settings.LANGUAGE_COOKIE_NAME]
print(json.dumps({"status": response.status_code, "secure": bool(morsel["secure"]),
                  "samesite": morsel["samesite"], "httponly": bool(morsel["httponly"])}))
"""


def test_the_language_cookie_is_secure_and_same_site_in_production(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "intranet.settings", "DEBUG": "false", "SERAMBI_TESTING": "0",
           "SECRET_KEY": "production-like-" + "x" * 40, "ALLOWED_HOSTS": "testserver", "REDIS_URL": "",
           "SERAMBI_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    cookie = json.loads(out.stdout.strip().splitlines()[-1])
    assert cookie == {"status": 302, "secure": True, "samesite": "Lax", "httponly": True}
