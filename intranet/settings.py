"""Serambi settings: one module, everything overridable from the environment (django-environ).

The defaults give the embedded first run: SQLite under var/, local-memory cache, background work inline after
commit, e-mail to the console. Production sets DEBUG=false, SECRET_KEY, DATABASE_URL, REDIS_URL, ALLOWED_HOSTS.
"""

import sys
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
# A checkout keeps the site-wide templates/, static/ and locale/ beside the apps; an installed wheel ships them as
# serambi_site/ (setup.py), and keeps its state under the working directory unless SERAMBI_VAR_DIR says otherwise.
CHECKOUT = (BASE_DIR / "manage.py").exists()
SITE_DIR = BASE_DIR if CHECKOUT else BASE_DIR / "serambi_site"
VAR_DIR = Path(environ.Env().str("SERAMBI_VAR_DIR", default=str((BASE_DIR if CHECKOUT else Path.cwd()) / "var")))

env = environ.Env()
env_file = (BASE_DIR if CHECKOUT else Path.cwd()) / ".env"
if env_file.exists():  # optional, for operators who prefer a file to real environment variables
    environ.Env.read_env(str(env_file))

DEBUG = env.bool("DEBUG", default=False)
# Under pytest the test settings apply (dev secret, plain static storage); pytest-django imports settings before any
# conftest could set a variable, hence the module check.
TESTING = env.bool("SERAMBI_TESTING", default="pytest" in sys.modules)

# A secret is required whenever DEBUG is off; the development fallback is never used in production.
if DEBUG or TESTING:
    SECRET_KEY = env.str("SECRET_KEY", default="serambi-development-only-not-secret")  # noqa: S105
else:
    SECRET_KEY = env.str("SECRET_KEY")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if (DEBUG or TESTING) else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Serambi
    "intranet.accounts",
    "intranet.audit",
    "intranet.notifications",
    "intranet.core",
    "api",  # the agency API: a top-level package, since it serves HR data (docs/architecture.md, layers)
    "intranet.security",
    "intranet.issued",
    "hr.org",
    "hr.leave",
    "hr.payslips",
    "hr.documents",
    "cms.home",
    "cms.news",
    "cms.training",
    "cms.policies",
    "cms.search",
    "demo",  # seed_demo, seed_ministry: above every app, since they fill them all
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.locales",
    "wagtail.contrib.simple_translation",
    "wagtail",
    "modelcluster",
    "taggit",
    # Django and friends
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "treebeard",  # templates and JS catalog of the org unit tree admin
    "guardian",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "intranet.security.middleware.SerambiCSPMiddleware",
    "intranet.core.hostile_input.RejectNulMiddleware",
    # Slow regional links: pages go out compressed (Django pads gzip output against BREACH).
    "django.middleware.gzip.GZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Storage faults answer a clear page; files of a write that did not commit are removed (intranet/core/file_faults.py).
    "intranet.core.file_faults.FileFaultMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # The shared-cache values every page reads (the session's copy, Site, alert, unread count, user generation): one
    # round trip. Kept: without it the reader pages served 35-40% fewer requests (docs/performance.md).
    "intranet.core.middleware.CachePrefetchMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # An intranet: every view needs a login unless it is explicitly marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "intranet.security.middleware.SessionTimeoutMiddleware",
    "intranet.security.middleware.SecondFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Wagtail's Site lookup for the request, from the shared cache (saves a query per page).
    "cms.home.middleware.CachedSiteMiddleware",
    # A write by the user retires their cached dashboard (intranet.core.middleware).
    "intranet.core.middleware.UserWriteMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "intranet.security.middleware.SecurityHeadersMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "intranet.urls"
WSGI_APPLICATION = "intranet.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SITE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "intranet.core.context_processors.site",
                "intranet.notifications.context_processors.unread",
                "cms.home.context_processors.site_alert",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'serambi.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
POSTGRESQL = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if POSTGRESQL:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # JIT compilation costs 50–130 ms on the few large queries of a request and never pays off for short OLTP queries.
    # random_page_cost: PostgreSQL's default (4) assumes spinning disks; on SSDs 1.1 lets the planner pick the index
    # lookups it would otherwise refuse (an HR officer's document count 43 → 14 ms at ministry scale).
    pg_options = [] if env.bool("DB_JIT", default=False) else ["-c jit=off"]
    pg_options.append(f"-c random_page_cost={env.float('DB_RANDOM_PAGE_COST', default=1.1)}")
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", " ".join(pg_options))
    if env.bool("DB_PGBOUNCER_TRANSACTION_POOLING", default=False):
        # Behind PgBouncer in transaction mode a server-side cursor (QuerySet.iterator()) cannot outlive its
        # transaction, and a kept connection means nothing: Django's documented settings for that pooler.
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
        DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    DATABASES["default"].setdefault("OPTIONS", {})
    # WAL + a busy timeout let the embedded default serve reads while a write is in progress.
    DATABASES["default"]["OPTIONS"].update(
        {
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, Celery --------------------------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    # Tolerant of a Redis outage: pages keep rendering without the cache (intranet/core/cache.py).
    CACHES = {"default": {"BACKEND": "intranet.core.cache.TolerantRedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "serambi"}}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
# Without a broker, tasks run inline (after commit, see intranet.core.background) so nothing depends on a worker.
CELERY_TASK_ALWAYS_EAGER = env.bool(
    "CELERY_TASK_ALWAYS_EAGER", default=not (REDIS_URL or env.str("CELERY_BROKER_URL", default=""))
)
CELERY_TASK_EAGER_PROPAGATES = env.bool("CELERY_TASK_EAGER_PROPAGATES", default=False)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
CELERY_TIMEZONE = "Asia/Jakarta"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing to a broker that is down must not hang a web request: the outbox keeps the work.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
    # With late acks, a task whose worker died is handed out again once this many seconds have passed unacknowledged;
    # it must exceed the longest task (CELERY_TASK_TIME_LIMIT), or a slow task would be run twice.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=2 * CELERY_TASK_TIME_LIMIT),
}
CELERY_BEAT_SCHEDULE = {}  # each app adds its entries in intranet/celery.py

# --- Auth -----------------------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",  # local break-glass accounts
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "intranet.accounts.hashers.SerambiArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # hashes from before: verified, then upgraded at login
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
ANONYMOUS_USER_NAME = None  # django-guardian: no anonymous user object, an intranet has no anonymous readers
GUARDIAN_RAISE_403 = False

SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True  # read by the server only
# Sessions live in the database. With a shared cache (Redis) each request reads a copy kept there for a minute at
# most (intranet/security/session_store.py); without one, a copy in one process could not be deleted from another.
SESSION_ENGINE = "intranet.security.session_store" if REDIS_URL else "django.contrib.sessions.backends.db"

# --- Internationalisation -------------------------------------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
# The site's strings, then the Wagtail editor screens' strings Wagtail's own Indonesian catalog lacks (by hand).
LOCALE_PATHS = [SITE_DIR / "locale", SITE_DIR / "cms" / "wagtail_admin" / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

# --- Static, media, private files -----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATICFILES_DIRS = [SITE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Private files (payslip PDFs, HR documents, leave letters) live outside MEDIA_ROOT and are served only by
# authorising views: streamed in development, X-Accel-Redirect under nginx in production.
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private")))
PRIVATE_MEDIA_X_ACCEL_PREFIX = env.str("PRIVATE_MEDIA_X_ACCEL_PREFIX", default="")  # e.g. "/_private/" behind nginx
# age public keys (age1…) that `manage.py backup` encrypts every backup to; their secret keys stay off the server
# (deploy/README.md, "Backups"). Empty: backups are written in the clear and `check --deploy` warns (serambi.W102).
SERAMBI_BACKUP_RECIPIENTS = env.list("SERAMBI_BACKUP_RECIPIENTS", default=[])
STORAGES = {
    # Public media (Wagtail images) only; CMS documents and employee photos saved through it land in private
    # storage (intranet/core/storage.py).
    "default": {"BACKEND": "intranet.core.storage.MediaStorage"},
    "private": {
        "BACKEND": "intranet.core.storage.PrivateStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not (DEBUG or TESTING)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_MAX_AGE = 31536000 if not DEBUG else 0
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# --- E-mail ---------------------------------------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))  # for the file-based backend
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="serambi@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security -------------------------------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not (DEBUG or TESTING):
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Wagtail --------------------------------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Serambi"
WAGTAILADMIN_BASE_URL = env.str("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
WAGTAIL_ADMIN_PATH = env.str("WAGTAIL_ADMIN_PATH", default="cms-admin/").strip("/") + "/"
DJANGO_ADMIN_PATH = env.str("DJANGO_ADMIN_PATH", default="django-admin/").strip("/") + "/"
WAGTAILADMIN_LOGIN_URL = "accounts:login"
WAGTAIL_ENABLE_UPDATE_CHECK = False  # offline networks: no call home
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # no avatar requests to a third party (initials instead)
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
if POSTGRESQL:
    WAGTAILSEARCH_BACKENDS["default"]["SEARCH_CONFIG"] = env.str("SEARCH_CONFIG", default="indonesian")
WAGTAILEMBEDS_FINDERS = []  # no oEmbed calls to the internet
WAGTAILIMAGES_FORMAT_CONVERSIONS = {"bmp": "jpeg", "webp": "webp", "png": "png", "jpeg": "jpeg"}
# Raster images only: an SVG can carry script. Decoding is capped (a 30000×30000 PNG is a memory bomb).
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
SERAMBI_MAX_IMAGE_PIXELS = env.int("SERAMBI_MAX_IMAGE_PIXELS", default=40_000_000)
WAGTAILIMAGES_MAX_IMAGE_PIXELS = SERAMBI_MAX_IMAGE_PIXELS
WAGTAILIMAGES_IMAGE_FORM_BASE = "cms.home.image_forms.SafeImageForm"  # a corrupt upload: a message, not a 500
# CMS documents: office, PDF and video formats only (no HTML, SVG, XML or script), content checked against the
# extension, kept in private storage and served as downloads by an authorising view (cms/home/documents.py).
WAGTAILDOCS_EXTENSIONS = ["pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp", "mp4", "webm"]
WAGTAILDOCS_DOCUMENT_FORM_BASE = "cms.home.documents.SafeDocumentForm"
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_INLINE_CONTENT_TYPES = []
TAGGIT_CASE_INSENSITIVE = True

# --- Serambi --------------------------------------------------------------------------------------------------------
SERAMBI_AGENCY_NAME = env.str("SERAMBI_AGENCY_NAME", default="Kementerian Contoh Republik Indonesia")
SERAMBI_AGENCY_ADDRESS = env.str("SERAMBI_AGENCY_ADDRESS", default="Jl. Medan Merdeka Barat No. 1, Jakarta Pusat 10110")
SERAMBI_AGENCY_CITY = env.str("SERAMBI_AGENCY_CITY", default="Jakarta")  # the place before an official document's date
SERAMBI_DIRECTORY_PAGE_SIZE = env.int("SERAMBI_DIRECTORY_PAGE_SIZE", default=25)
SERAMBI_OUTBOX_MAX_ATTEMPTS = env.int("SERAMBI_OUTBOX_MAX_ATTEMPTS", default=8)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Request paths can carry the iCal feed token: the loggers that print paths replace it.
    "filters": {"redact_secrets": {"()": "intranet.core.log_redaction.RedactSecretsFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {"filters": ["redact_secrets"]},
        "django.server": {"filters": ["redact_secrets"]},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # Background-task and page-edit chatter at INFO would drown the seed and server output.
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        # The audit trail's JSON lines go out whatever LOG_LEVEL says: they are the copy outside the database.
        "serambi.audit": {"level": "INFO"},
        "serambi.audit.anchor": {"level": "INFO"},
    },
}
# Passwords belong to the directory; local break-glass passwords are changed by administrators, not by e-mail links.
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAILUSERS_PASSWORD_ENABLED = True

# --- documents ---
DOCUMENTS_MAX_UPLOAD_BYTES = env.int("DOCUMENTS_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
DOCUMENTS_PAGE_SIZE = env.int("DOCUMENTS_PAGE_SIZE", default=25)
DOCUMENTS_MAX_GRANT_DAYS = env.int("DOCUMENTS_MAX_GRANT_DAYS", default=365)
# Rahasia and Sangat Rahasia documents are shared with named people only, at most this many at a time (never a group).
DOCUMENTS_CLASSIFIED_MAX_GRANTEES = env.int("DOCUMENTS_CLASSIFIED_MAX_GRANTEES", default=5)
# Optional antivirus: clamd over a unix socket (DOCUMENTS_CLAMD_SOCKET) or TCP (DOCUMENTS_CLAMD_HOST/PORT).
DOCUMENTS_CLAMD_SOCKET = env.str("DOCUMENTS_CLAMD_SOCKET", default="")
DOCUMENTS_CLAMD_HOST = env.str("DOCUMENTS_CLAMD_HOST", default="")
DOCUMENTS_CLAMD_PORT = env.int("DOCUMENTS_CLAMD_PORT", default=3310)
DOCUMENTS_CLAMD_TIMEOUT = env.float("DOCUMENTS_CLAMD_TIMEOUT", default=15.0)
DOCUMENTS_CLAMD_FAIL_CLOSED = env.bool("DOCUMENTS_CLAMD_FAIL_CLOSED", default=True)  # scanner down: refuse uploads
# Sangat Rahasia files open only after a recent second factor (intranet.security step-up; see selectors.second_factor_recent).
DOCUMENTS_REQUIRE_SECOND_FACTOR = env.bool("DOCUMENTS_REQUIRE_SECOND_FACTOR", default=True)
DOCUMENTS_SECOND_FACTOR_MAX_AGE = env.int("DOCUMENTS_SECOND_FACTOR_MAX_AGE", default=15 * 60)

# --- audit trail ----------------------------------------------------------------------------------------------------
# Every entry is sealed with HMAC-SHA256 under this key (intranet.audit.keys). It lives outside the database, so
# database write access alone cannot forge or recompute the chain. Required when DEBUG is off (deploy check
# serambi.E002); rotation: put the new key here and the old one in AUDIT_HMAC_OLD_KEYS (deploy/README.md).
if DEBUG or TESTING:
    AUDIT_HMAC_KEY = env.str("AUDIT_HMAC_KEY", default="serambi-development-audit-key-not-secret-0123456789")
else:
    AUDIT_HMAC_KEY = env.str("AUDIT_HMAC_KEY", default="")
AUDIT_HMAC_OLD_KEYS = env.list("AUDIT_HMAC_OLD_KEYS", default=[])
# The external anchor: `manage.py audit_checkpoint` (and the beat task, every AUDIT_CHECKPOINT_INTERVAL seconds)
# appends the chain head's sequence number and hash, signed, to this file and to the serambi.audit.anchor log.
# Keep the file (or the log) where the database's users cannot write: rewriting or cutting the chain then shows.
# Tests name their own file (a developer's var/ must not leak into them).
AUDIT_ANCHOR_FILE = env.str("AUDIT_ANCHOR_FILE", default="" if TESTING else str(VAR_DIR / "audit" / "anchors.jsonl"))
AUDIT_CHECKPOINT_INTERVAL = max(env.int("AUDIT_CHECKPOINT_INTERVAL", default=300), 10)
# Refused attempts are audited per person, action and window: the 1st, 2nd, 4th, 8th … (intranet.audit.denials).
AUDIT_DENIAL_WINDOW = max(env.int("AUDIT_DENIAL_WINDOW", default=3600), 60)
# Audit entries older than this are pruned daily (behind a hash-chain checkpoint); 0 keeps them forever.
# Five years by default: the retention period of personnel records' access logs most agencies apply.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=1826)
# An entry in a transaction of its own (an audited read: a payslip list, a document download) commits on PostgreSQL
# without waiting for the WAL flush: the request does not wait for the disk, and the chain head's lock is held for
# about a millisecond instead of a flush. A crash of the database server (not of Serambi) can lose the last
# fraction of a second of such entries, whole and at the end of the chain, so it still verifies; the JSON log line
# of each entry is already out. Entries written inside a business transaction commit with it, synchronously.
AUDIT_ASYNC_COMMIT = env.bool("AUDIT_ASYNC_COMMIT", default=True)

# --- payslips -------------------------------------------------------------------------------------------------------
# PDF password some agencies require: "" (none), "birth_date" (the employee's birth date DDMMYYYY) or "nip".
SERAMBI_PAYSLIP_PDF_PASSWORD = env.str("SERAMBI_PAYSLIP_PDF_PASSWORD", default="")
SERAMBI_PAYSLIP_MAX_UPLOAD_MB = env.int("SERAMBI_PAYSLIP_MAX_UPLOAD_MB", default=40)
# A validating batch with no progress stamp for this long lost its worker; the sweep (every minute) retries it.
SERAMBI_PAYSLIP_STALL_SECONDS = env.int("SERAMBI_PAYSLIP_STALL_SECONDS", default=90)

# --- issued documents (docs/official-documents.md) -------------------------------------------------------------------
# The public address printed in each document's QR code: <SERAMBI_SITE_URL>/verifikasi/<code>/.
SERAMBI_SITE_URL = env.str("SERAMBI_SITE_URL", default=WAGTAILADMIN_BASE_URL)
# Who signs: "demo" (a local demo CA under SERAMBI_DEMO_CA_DIR; documents say DEMO), "pkcs12", "pkcs11" or "bsre".
SERAMBI_SIGNER = env.str("SERAMBI_SIGNER", default="demo")
SERAMBI_DEMO_CA_DIR = env.str("SERAMBI_DEMO_CA_DIR", default=str(VAR_DIR / "demo-ca"))
SERAMBI_SIGNER_PKCS12_PATH = env.str("SERAMBI_SIGNER_PKCS12_PATH", default="")
SERAMBI_SIGNER_PKCS12_PASSPHRASE = env.str("SERAMBI_SIGNER_PKCS12_PASSPHRASE", default="")
SERAMBI_SIGNER_PKCS11_MODULE = env.str("SERAMBI_SIGNER_PKCS11_MODULE", default="")
SERAMBI_SIGNER_PKCS11_TOKEN = env.str("SERAMBI_SIGNER_PKCS11_TOKEN", default="")
SERAMBI_SIGNER_PKCS11_KEY_LABEL = env.str("SERAMBI_SIGNER_PKCS11_KEY_LABEL", default="")
SERAMBI_SIGNER_PKCS11_CERT_LABEL = env.str("SERAMBI_SIGNER_PKCS11_CERT_LABEL", default="")
SERAMBI_SIGNER_PKCS11_PIN = env.str("SERAMBI_SIGNER_PKCS11_PIN", default="")
SERAMBI_SIGNER_CLASS = env.str("SERAMBI_SIGNER_CLASS", default="")  # "bsre": a NationalTteService connector
# PEM/DER root certificates the verification page trusts (the agency's CA chain; the demo signer brings its own).
SERAMBI_SIGNER_TRUST_ROOTS = env.list("SERAMBI_SIGNER_TRUST_ROOTS", default=[])
SERAMBI_SIGNER_TSA_URL = env.str("SERAMBI_SIGNER_TSA_URL", default="")  # RFC 3161 timestamps when set
SERAMBI_PAYROLL_UNIT = env.str("SERAMBI_PAYROLL_UNIT", default="Bagian Keuangan (Unit Pengelola Gaji)")  # issues payslips
SERAMBI_VERIFY_RATE_LIMIT = env.int("SERAMBI_VERIFY_RATE_LIMIT", default=30)  # lookups per minute per address
SERAMBI_VERIFY_MAX_UPLOAD_MB = env.int("SERAMBI_VERIFY_MAX_UPLOAD_MB", default=10)

# --- cms ------------------------------------------------------------------------------------------------------------
SERAMBI_REVIEW_REMINDER_DAYS = env.int("SERAMBI_REVIEW_REMINDER_DAYS", default=14)  # remind page owners this early
# Renditions small enough for slow links in regional offices.
WAGTAILIMAGES_MAX_UPLOAD_SIZE = env.int("WAGTAILIMAGES_MAX_UPLOAD_SIZE", default=5 * 1024 * 1024)
WAGTAILIMAGES_JPEG_QUALITY = 70
WAGTAILIMAGES_WEBP_QUALITY = 65

# --- directory (LDAP) -----------------------------------------------------------------------------------------------
# Login and sync against OpenLDAP or Active Directory (intranet/accounts/ldap/). Off unless LDAP_SERVER_URIS is set.
LDAP_SERVER_URIS = env.list("LDAP_SERVER_URIS", default=[])  # failover order, e.g. ldaps://dc1:636,ldaps://dc2:636
LDAP_ENABLED = env.bool("LDAP_ENABLED", default=bool(LDAP_SERVER_URIS))
LDAP_PRESET = env.str("LDAP_PRESET", default="openldap")  # openldap | ad
LDAP_BIND_DN = env.str("LDAP_BIND_DN", default="")  # service account (read-only)
LDAP_BIND_PASSWORD = env.str("LDAP_BIND_PASSWORD", default="")
LDAP_BASE_DN = env.str("LDAP_BASE_DN", default="")
LDAP_USER_BASE_DN = env.str("LDAP_USER_BASE_DN", default="")  # default: LDAP_BASE_DN
LDAP_GROUP_BASE_DN = env.str("LDAP_GROUP_BASE_DN", default="")  # default: LDAP_BASE_DN
LDAP_USER_FILTER = env.str("LDAP_USER_FILTER", default="")  # login filter with {login}; default from the preset
LDAP_USER_OBJECT_FILTER = env.str("LDAP_USER_OBJECT_FILTER", default="")  # which entries are users; preset default
LDAP_GROUP_OBJECT_FILTER = env.str("LDAP_GROUP_OBJECT_FILTER", default="")
LDAP_ATTRIBUTE_MAP = env.dict("LDAP_ATTRIBUTE_MAP", default={})  # e.g. nip=employeeID,unit=departmentNumber
LDAP_REQUIRED_GROUP = env.str("LDAP_REQUIRED_GROUP", default="")  # DN; only its (nested) members may log in
LDAP_DENY_GROUP = env.str("LDAP_DENY_GROUP", default="")  # DN; its members may not log in
# true (the preset's way: Active Directory's in-chain rule when the server is seen to evaluate it, else client-side),
# false, or auto | client | off. The deny group is always looked for through nesting.
LDAP_NESTED_GROUPS = env.str("LDAP_NESTED_GROUPS", default="true")
LDAP_ACCOUNT_STATE = env.str("LDAP_ACCOUNT_STATE", default="")  # ad | ppolicy | off; default from the preset
LDAP_AD_LOCKOUT_MINUTES = env.int("LDAP_AD_LOCKOUT_MINUTES", default=30)  # the domain's lockout duration; 0 = manual
# The entry's immutable identifier, the account's anchor; default objectGUID (ad) or entryUUID (openldap); "off"
LDAP_ANCHOR_ATTRIBUTE = env.str("LDAP_ANCHOR_ATTRIBUTE", default="")
LDAP_UPN_SUFFIXES = env.list("LDAP_UPN_SUFFIXES", default=[])  # alternate UPN suffixes: name@suffix logs in as name
LDAP_NETBIOS_DOMAINS = env.list("LDAP_NETBIOS_DOMAINS", default=[])  # DOMAIN of DOMAIN\user accepted; empty = any
# ldap:// without LDAP_START_TLS sends passwords in clear: `check --deploy` fails on it unless this says it is meant
# (a directory on the same host or a private network of its own).
LDAP_ALLOW_PLAINTEXT = env.bool("LDAP_ALLOW_PLAINTEXT", default=False)
LDAP_DEFAULT_ROLES = env.list("LDAP_DEFAULT_ROLES", default=["Pegawai"])  # granted to every allowed directory user
# JSON list: [{"group": "cn=sdm,ou=groups,dc=...", "role": "HR_OFFICER", "scope_unit": "DJ1.1"}, ...]; seeds the
# mapping table (editable in the admin) — rows are created when missing, never overwritten.
LDAP_GROUP_ROLE_MAP = env.json("LDAP_GROUP_ROLE_MAP", default=[])
LDAP_START_TLS = env.bool("LDAP_START_TLS", default=False)  # or use ldaps:// URIs
LDAP_CA_FILE = env.str("LDAP_CA_FILE", default="")  # PEM bundle; default: the system trust store
# Verification is on by default; this turns it off, and a warning is logged at every start-up.
LDAP_INSECURE_SKIP_TLS_VERIFY = env.bool("LDAP_INSECURE_SKIP_TLS_VERIFY", default=False)
# A login waits at most one connect or receive timeout per server; a server that failed is then skipped for
# LDAP_CIRCUIT_SECONDS (shared through the cache), so an outage answers logins at once (deploy/ldap/README.md).
LDAP_CONNECT_TIMEOUT = env.float("LDAP_CONNECT_TIMEOUT", default=3.0)
LDAP_RECEIVE_TIMEOUT = env.float("LDAP_RECEIVE_TIMEOUT", default=5.0)
LDAP_CIRCUIT_SECONDS = env.float("LDAP_CIRCUIT_SECONDS", default=15.0)  # 0: no breaker
LDAP_PAGE_SIZE = max(env.int("LDAP_PAGE_SIZE", default=1000), 500)
LDAP_SYNC_INTERVAL = env.int("LDAP_SYNC_INTERVAL", default=3600)  # seconds between beat syncs; 0 = no beat sync
if LDAP_ENABLED:
    AUTHENTICATION_BACKENDS = ["intranet.accounts.ldap.backend.DirectoryBackend", *AUTHENTICATION_BACKENDS]

# --- leave ----------------------------------------------------------------------------------------------------------
SERAMBI_LEAVE_OFFICIAL_LEVEL = env.int("SERAMBI_LEAVE_OFFICIAL_LEVEL", default=2)  # 2 = Eselon II unit head decides
SERAMBI_LEAVE_DOCUMENT_MAX_BYTES = env.int("SERAMBI_LEAVE_DOCUMENT_MAX_BYTES", default=5 * 1024 * 1024)
SERAMBI_LEAVE_REMINDER_WORKING_DAYS = env.int("SERAMBI_LEAVE_REMINDER_WORKING_DAYS", default=3)
SERAMBI_LEAVE_LETTER_PREFIX = env.str("SERAMBI_LEAVE_LETTER_PREFIX", default="KP.08.01")
# The tembusan (copies) of a surat izin cuti, in order (comma-separated in the environment).
SERAMBI_LEAVE_LETTER_COPIES = env.list(
    "SERAMBI_LEAVE_LETTER_COPIES",
    default=["Atasan langsung yang bersangkutan", "Pengelola kepegawaian", "Bendahara/unit pengelola gaji"],
)

# --- security -------------------------------------------------------------------------------------------------------
# Lockout (django-axes): per username + IP, below typical directory lockout thresholds so Serambi locks first.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "intranet.security.lockout.LockoutHandler"
AXES_LOCKOUT_TEMPLATE = "security/lockout.html"
AXES_USERNAME_CALLABLE = "intranet.security.lockout.username_from_request"
# The client address comes from the trusted proxies' X-Forwarded-For (intranet.security.client_address), for the
# lockout, the rate limits, the session list and the audit trail alike. AXES_PROXY_COUNT is its former name.
SERAMBI_TRUSTED_PROXY_COUNT = env.int("SERAMBI_TRUSTED_PROXY_COUNT", default=env.int("AXES_PROXY_COUNT", default=0))
AXES_CLIENT_IP_CALLABLE = "intranet.security.client_address.client_address"
AXES_VERBOSE = False
# Logins, failures and lockouts are in the audit chain (intranet.security.signals); axes keeps only the failure
# counters that lock out, not a second log of every login (one INSERT per login, one UPDATE per logout).
AXES_DISABLE_ACCESS_LOG = True
# Login rate limits (intranet.security.login_throttle): failed logins per client address and in all, per window.
SERAMBI_LOGIN_THROTTLE_SECONDS = env.int("SERAMBI_LOGIN_THROTTLE_SECONDS", default=15 * 60)
SERAMBI_LOGIN_ADDRESS_LIMIT = env.int("SERAMBI_LOGIN_ADDRESS_LIMIT", default=20)
SERAMBI_LOGIN_GLOBAL_LIMIT = env.int("SERAMBI_LOGIN_GLOBAL_LIMIT", default=500)
# The rate limits, then the axes lockout, go first: they refuse an attempt before any password or directory check.
AUTHENTICATION_BACKENDS = [
    "intranet.security.login_throttle.LoginThrottleBackend",
    "intranet.security.lockout.LockoutBackend",
    *AUTHENTICATION_BACKENDS,
]
# Second factor (django-otp): mandatory for privileged roles; step-up window for sensitive actions.
SERAMBI_2FA_ENFORCE = env.bool("SERAMBI_2FA_ENFORCE", default=True)
SERAMBI_2FA_STEP_UP_SECONDS = env.int("SERAMBI_2FA_STEP_UP_SECONDS", default=10 * 60)
OTP_TOTP_ISSUER = "Serambi"
# Sessions: idle timeout here, absolute timeout = SESSION_COOKIE_AGE counted from login.
SERAMBI_SESSION_IDLE_SECONDS = env.int("SERAMBI_SESSION_IDLE_SECONDS", default=30 * 60)
SERAMBI_PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
# Content Security Policy (django-csp 4): everything from this origin, no inline script or style on the site.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "media-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- api ------------------------------------------------------------------------------------------------------------
# Webhooks of the interoperability API (api): receivers must use https unless this allows http (development).
SERAMBI_API_WEBHOOK_ALLOW_HTTP = env.bool("SERAMBI_API_WEBHOOK_ALLOW_HTTP", default=DEBUG)
# Receivers must resolve to public addresses; these networks (CIDR, e.g. "10.20.30.0/24") are allowed besides.
SERAMBI_API_WEBHOOK_ALLOWED_NETWORKS = env.list("SERAMBI_API_WEBHOOK_ALLOWED_NETWORKS", default=[])
SERAMBI_API_WEBHOOK_MAX_ATTEMPTS = env.int("SERAMBI_API_WEBHOOK_MAX_ATTEMPTS", default=8)
# Calls that fail authentication, per client address per minute; past it the address gets 429 before any token lookup.
SERAMBI_API_ANONYMOUS_LIMIT = env.int("SERAMBI_API_ANONYMOUS_LIMIT", default=30)
SERAMBI_API_WEBHOOK_BACKOFF_BASE = env.int("SERAMBI_API_WEBHOOK_BACKOFF_BASE", default=30)  # seconds, doubled each try
SERAMBI_API_WEBHOOK_BACKOFF_MAX = env.int("SERAMBI_API_WEBHOOK_BACKOFF_MAX", default=6 * 3600)
SERAMBI_API_WEBHOOK_TIMEOUT = env.float("SERAMBI_API_WEBHOOK_TIMEOUT", default=5.0)
