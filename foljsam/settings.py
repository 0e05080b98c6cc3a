"""One settings module, read from the environment (healthchecks style).

Every setting has a safe local default; production sets DEBUG=False and must then
provide DJANGO_SECRET_KEY and FOLJSAM_PSEUDONYM_KEY.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent


def envbool(name: str, default: str = "False") -> bool:
    return os.getenv(name, default).lower() in ("1", "true", "yes", "on")


DEBUG = envbool("DEBUG", "True")
DATA_DIR = Path(os.getenv("FOLJSAM_DATA_DIR", BASE_DIR.parent / "data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)  # the SQLite file, uploads and Parquet data live here

# --- Secrets (issue 12 item 9) ------------------------------------------------------------
# With DEBUG off both keys must come from the environment and be at least 32 bytes: a short
# pseudonym key makes the HMAC pseudonyms reversible by trying every key.
MIN_SECRET_BYTES = 32


def _secret(name: str, dev_default: str) -> str:
    value = os.getenv(name, "")
    if DEBUG:
        return value or dev_default
    if not value:
        raise ImproperlyConfigured(f"{name} måste sättas när DEBUG är avstängt.")
    if len(value.encode()) < MIN_SECRET_BYTES:
        raise ImproperlyConfigured(
            f"{name} är för kort ({len(value.encode())} byte): minst {MIN_SECRET_BYTES} byte krävs när DEBUG är "
            "avstängt (t.ex. python3 -c 'import secrets; print(secrets.token_urlsafe(48))')."
        )
    return value


SECRET_KEY = _secret("DJANGO_SECRET_KEY", "dev-only-insecure-secret-key-do-not-use-in-production")
# Key for the HMAC pseudonyms of clients and staff (monthly follow-up). Changing it
# breaks the link between months, so production must set it once and keep it.
PSEUDONYM_KEY = _secret("FOLJSAM_PSEUDONYM_KEY", "dev-only-pseudonym-key")
# --- end secrets ----------------------------------------------------------------------------

ALLOWED_HOSTS = [h for h in os.getenv("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.getenv("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
SITE_ROOT = os.getenv("SITE_ROOT", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "foljsam.accounts",
    "foljsam.audit",
    "foljsam.registry",
    "foljsam.actions",
    "foljsam.catalogue",
    "foljsam.followups",
    "foljsam.monthly",
    "foljsam.indepth",
    "foljsam.planning",
    "foljsam.overview",
    "foljsam.reports",
    "foljsam.comparison",
    "foljsam.ops",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # /jamfor/ from the worker's memory, before sessions, auth and the database (comparison/fastpath.py)
    "foljsam.comparison.fastpath.PublicPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "foljsam.middleware.LanguageMiddleware",
    "foljsam.middleware.RejectNulMiddleware",  # issue 12 item 6: NUL in a URL is a 400, not a DataError
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "foljsam.audit.middleware.AuditUserMiddleware",
    "foljsam.middleware.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "foljsam.urls"
WSGI_APPLICATION = "foljsam.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "foljsam.accounts.context_processors.role",
                "foljsam.home.nav",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.getenv("DATABASE_URL", f"sqlite:///{DATA_DIR / 'foljsam.sqlite3'}"),
        # Persistent connections in production (one per gunicorn worker), checked before reuse so a
        # restarted database server costs one reconnect, not an error page. 0 under runserver.
        conn_max_age=int(os.getenv("DB_CONN_MAX_AGE", "0" if DEBUG else "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker, management commands) share the file: wait instead of failing. A
    # transaction takes the write lock when it begins (IMMEDIATE): one that read first and wrote later
    # (select_for_update is a no-op here) could not wait for a writer of another process and failed at
    # once with "database is locked" – seen as an upload confirmed while the worker enqueued its jobs.
    DATABASES["default"].setdefault("OPTIONS", {}).update(timeout=20, transaction_mode="IMMEDIATE")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]

# Sign-in with the municipality's identity provider (OpenID Connect, authorization code + PKCE;
# foljsam.accounts.oidc). On when a client id and the provider's endpoints are set.
OIDC_RP_CLIENT_ID = os.getenv("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.getenv("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_ISSUER = os.getenv("OIDC_OP_ISSUER", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.getenv("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.getenv("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.getenv("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.getenv("OIDC_OP_USER_ENDPOINT", "")  # optional: the ID token's claims suffice
OIDC_RP_SIGN_ALGO = os.getenv("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.getenv("OIDC_RP_SCOPES", "openid email profile")
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_USERNAME_CLAIM = os.getenv("OIDC_USERNAME_CLAIM", "preferred_username")
OIDC_ROLE_CLAIM = os.getenv("OIDC_ROLE_CLAIM", "groups")
# JSON: group or role value in OIDC_ROLE_CLAIM → admin / officer / reader / provider.
OIDC_GROUP_ROLE_MAP = os.getenv("OIDC_GROUP_ROLE_MAP", "{}")
OIDC_PROVIDER_CLAIM = os.getenv("OIDC_PROVIDER_CLAIM", "")  # claim holding a provider user's provider code
OIDC_UNITS_CLAIM = os.getenv("OIDC_UNITS_CLAIM", "")  # claim naming a unit manager's units (names)
OIDC_TIMEOUT = int(os.getenv("OIDC_TIMEOUT", "10"))
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc_callback"
LOGIN_REDIRECT_URL_FAILURE = "/konto/logga-in/?oidc=fel"
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID and OIDC_OP_AUTHORIZATION_ENDPOINT and OIDC_OP_TOKEN_ENDPOINT)
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("foljsam.accounts.oidc.FoljsamOIDCBackend")
# A second factor (TOTP) for local accounts of these roles (comma list: admin, officer, reader,
# provider); users who set one up are always asked. OIDC sign-ins are not asked.
TOTP_REQUIRED_ROLES = [r.strip() for r in os.getenv("FOLJSAM_TOTP_REQUIRED_ROLES", "").split(",") if r.strip()]
OTP_TOTP_ISSUER = os.getenv("OTP_TOTP_ISSUER", "Följsam")
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Lock-out after repeated failed logins (accounts.services.login_reserve): per account at one
# address, and per address over all accounts; no counter spans addresses.
LOGIN_MAX_FAILURES = int(os.getenv("LOGIN_MAX_FAILURES", "5"))
LOGIN_MAX_FAILURES_PER_ADDRESS = int(os.getenv("LOGIN_MAX_FAILURES_PER_ADDRESS", "30"))
LOGIN_LOCKOUT_MINUTES = int(os.getenv("LOGIN_LOCKOUT_MINUTES", "15"))
# Behind a reverse proxy: the header whose rightmost entry is the client's address (e.g.
# HTTP_X_FORWARDED_FOR); empty means REMOTE_ADDR.
CLIENT_IP_HEADER = os.getenv("FOLJSAM_CLIENT_IP_HEADER", "")

# Gallring (`foljsam retention`, a scheduled job): years to keep row-level monthly data (visits,
# additional reports, ended grants), import reports and access-log entries; 0 keeps them for ever.
RETENTION_YEARS_ROWS = int(os.getenv("FOLJSAM_RETENTION_YEARS_ROWS", "3"))
RETENTION_YEARS_IMPORT_REPORTS = int(os.getenv("FOLJSAM_RETENTION_YEARS_IMPORT_REPORTS", "3"))
RETENTION_YEARS_ACCESS_LOG = int(os.getenv("FOLJSAM_RETENTION_YEARS_ACCESS_LOG", "5"))

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.getenv("STATIC_ROOT", BASE_DIR.parent / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = DATA_DIR / "uploads"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024

# --- Upload limits (issue 12 item 5; foljsam/lib/uploads.py checks them before any parsing) -------
def _megabytes(name: str, default: float) -> int:
    return int(float(os.getenv(name, str(default))) * 1024 * 1024)


UPLOAD_LIMITS = {
    # providers.csv: 5 MB is about 50,000 providers.
    "providers": {"max_bytes": _megabytes("FOLJSAM_UPLOAD_MAX_PROVIDERS_MB", 5), "max_line": 10_000},
    # Requirement catalogues (YAML or Excel): the seed catalogue is 16 kB of YAML.
    "catalogue": {"max_bytes": _megabytes("FOLJSAM_UPLOAD_MAX_CATALOGUE_MB", 2), "max_line": 100_000,
                  "xlsx_max_entries": 200,
                  "xlsx_max_uncompressed": _megabytes("FOLJSAM_UPLOAD_MAX_CATALOGUE_XLSX_MB", 25),
                  "max_rows": 5_000, "max_columns": 50, "yaml_max_nodes": 100_000},
    # A month's export: CSV up to a national month (15 M rows ≈ 1.7 GB); XLSX at most Excel's 1,048,576 rows.
    "monthly": {"max_bytes": _megabytes("FOLJSAM_UPLOAD_MAX_MONTHLY_MB", 4096), "max_line": 64 * 1024,
                "xlsx_max_entries": 1000,
                "xlsx_max_uncompressed": _megabytes("FOLJSAM_UPLOAD_MAX_MONTHLY_XLSX_MB", 1024),
                "max_rows": 1_048_576, "max_columns": 200},
}
# --- end upload limits -----------------------------------------------------------------------

EMAIL_BACKEND = os.getenv("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.getenv("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.getenv("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.getenv("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "foljsam@localhost")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content Security Policy: everything from our own origin, no inline script.
CONTENT_SECURITY_POLICY = os.getenv(
    "CONTENT_SECURITY_POLICY",
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
)
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "True")
    SECURE_HSTS_SECONDS = int(os.getenv("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Serving (issue 12 item 10; docs/deploy.md) ---------------------------------------------
# `foljsam check --deploy` must be clean in production; each silenced check says why.
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD")
SILENCED_SYSTEM_CHECKS = [
    # W021: HSTS preloading commits the whole domain and its subdomains to HTTPS in browsers' built-in
    # lists, hard to undo; that is the municipality's decision for its domain (SECURE_HSTS_PRELOAD=True).
    "security.W021",
]
if not DEBUG and not SECURE_SSL_REDIRECT:
    # W008: SECURE_SSL_REDIRECT=False is only for a server bound to loopback behind a TLS proxy that
    # redirects HTTP itself (and for `make serve` on a developer's machine); the default is True.
    SILENCED_SYSTEM_CHECKS.append("security.W008")
# --- end serving ----------------------------------------------------------------------------

# --- Background tasks (issue 12 item 1) --------------------------------------------------------
# Imports, figure refreshes, e-mail and reminders run in `foljsam worker` (django-tasks' database
# backend: the queue is a table in the same database, no other server). The schedule of recurring
# work is in foljsam/ops/schedule.py. FOLJSAM_TASKS_BACKEND=immediate runs tasks in the caller (tests).
TASKS = {"default": {"BACKEND": {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}[os.getenv("FOLJSAM_TASKS_BACKEND", "database")]}}
FOLJSAM_MAIL_ATTEMPTS = int(os.getenv("FOLJSAM_MAIL_ATTEMPTS", "4"))  # a refused or failed SMTP send is retried
FOLJSAM_MAIL_RETRY_SECONDS = int(os.getenv("FOLJSAM_MAIL_RETRY_SECONDS", "60"))  # first wait, doubled each time
# `monthly pickup`: days an imported export (clear personal ids) is kept in inbox/done/, mode 0600; 0 deletes it.
FOLJSAM_PICKUP_KEEP_DAYS = int(os.getenv("FOLJSAM_PICKUP_KEEP_DAYS", "0"))
# --- end background tasks -----------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "WARNING")},
}

# Comparison with the nation (Kolada) and the public comparison page /jamfor/.
FOLJSAM_MUNICIPALITY_CODE = os.getenv("FOLJSAM_MUNICIPALITY_CODE", "")  # e.g. 0126; Kolada's code
FOLJSAM_SIMILAR_MUNICIPALITIES = [c for c in os.getenv("FOLJSAM_SIMILAR_MUNICIPALITIES", "").split(",") if c]
FOLJSAM_PUBLIC_SURVEY_KPI = os.getenv("FOLJSAM_PUBLIC_SURVEY_KPI", "U21468")  # user survey, per unit (OU)
FOLJSAM_PUBLIC_CACHE_SECONDS = int(os.getenv("FOLJSAM_PUBLIC_CACHE_SECONDS", "300"))  # 0 = render every request
# The process-local cache (one per gunicorn worker): public pages, rate-limit counters and the per-version
# cache below. Django's default keeps 300 entries; pages kept per user need more (a provider page ≈ 15 kB).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                      "OPTIONS": {"MAX_ENTRIES": int(os.getenv("FOLJSAM_CACHE_MAX_ENTRIES", "2000"))}}}
# Derived reads (proposals, red streaks, monthly matrix, results, provider page and list) cached per data version
# (foljsam/datacache.py); the seconds bound staleness after a write that bypasses the audit log. 0 = off.
FOLJSAM_DATA_CACHE_SECONDS = int(os.getenv("FOLJSAM_DATA_CACHE_SECONDS", "300"))
FOLJSAM_PUBLIC_RATE = int(os.getenv("FOLJSAM_PUBLIC_RATE", "120"))  # requests per address and minute
