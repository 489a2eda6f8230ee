"""Settings for the load benchmark's gunicorn: the production settings (DEBUG off, SECRET_KEY, ALLOWED_HOSTS,
PostgreSQL and REDIS_URL all from the environment, as deploy/ sets them), with only what a loopback benchmark
without nginx needs changed:

- TLS ends at nginx in production; here locust talks plain HTTP to gunicorn, so no HTTPS redirect and the session and
  CSRF cookies are not marked Secure (a Secure cookie would never be sent back over http://). The cost of TLS is
  nginx's, not Django's.
- The URLconf adds the authenticated baseline view `/_bench/auth` to the project's URLs. The production URLconf
  (intranet/urls.py) does not have it. The bare baseline is a separate WSGI app (tests/perf/load/bare.py).
"""

from intranet.settings import *  # noqa: F403

ROOT_URLCONF = "tests.perf.load.urls"
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
