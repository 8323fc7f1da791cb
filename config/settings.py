"""Souk settings: one module, driven by environment variables.

Every value a deployment changes comes from the environment (see docs/deploy.md).
With nothing set, Souk runs on a SQLite file under ``var/`` with DEBUG off; ``make run``
turns DEBUG on for local use.
"""

import secrets
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DATA_DIR = Path(env.str("SOUK_DATA_DIR", default=str(BASE_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in DATA_DIR.

    No secret is ever committed; a machine without SECRET_KEY gets its own random key,
    stored with owner-only permissions so sessions survive a restart (as pretix does).
    """
    if env.str("SECRET_KEY", default=""):
        return env.str("SECRET_KEY")
    path = DATA_DIR / ".secret_key"
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(64))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_filters",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_countries",
    # Souk, lowest layer first: core → fairs → registrations → booths → badges → reports
    "core",
    "fairs",
    "registrations",
    "booths",
    "badges",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.roles",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# --- Database -------------------------------------------------------------------------
# SQLite by default, tuned for several writers (WAL, immediate transactions, busy timeout:
# see shared FIELD-NOTES); PostgreSQL when DATABASE_URL says so.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'souk.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # Writers queue on BEGIN IMMEDIATE for up to `timeout` seconds (SQLite's busy
            # timeout) instead of failing; bench/sqlite_writers.py measures it. The busy timeout
            # is not repeated as a PRAGMA: a lower one there would override it.
            "transaction_mode": "IMMEDIATE",
            "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=30),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)

# Bulk badge PDFs (badges/printing.py): drawn in a background thread, kept here (private).
SOUK_PRINTS_DIR = Path(env.str("SOUK_PRINTS_DIR", default=str(DATA_DIR / "private" / "badge-prints")))
SOUK_BADGE_PRINT_INLINE = env.bool("SOUK_BADGE_PRINT_INLINE", default=False)
# Photos cut to the badge's frame, kept between PDFs (private: they are people's photos).
SOUK_PHOTO_CACHE_DIR = Path(
    env.str("SOUK_PHOTO_CACHE_DIR", default=str(DATA_DIR / "private" / "badge-photos"))
)

# PostgreSQL: the scan's badge read is a prepared statement (badges/scan_sql.py). Turn off
# behind a pooler that shares sessions between clients (pgbouncer in transaction mode).
SOUK_SCAN_PREPARED = env.bool("SOUK_SCAN_PREPARED", default=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

# Artisans log in with their CIN, phone or email; staff with their username.
AUTHENTICATION_BACKENDS = ["registrations.auth.ArtisanBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# --- Languages and time ---------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [
    ("ar", _("Arabic")),
    ("fr", _("French")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
TIME_ZONE = "Africa/Casablanca"
USE_I18N = True
USE_TZ = True

# --- Static and media files -----------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(DATA_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(DATA_DIR / "media")))
# Hashed, compressed static files once `collectstatic` has written its manifest (deployments,
# docs/deploy.md); plain files served by WhiteNoise straight from static/ before that (make run,
# tests), so Souk never depends on a build step to show a page.
_MANIFEST = STATIC_ROOT / "staticfiles.json"
SOUK_MANIFEST_STATIC = env.bool("SOUK_MANIFEST_STATIC", default=_MANIFEST.exists())
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if SOUK_MANIFEST_STATIC
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = not SOUK_MANIFEST_STATIC
WHITENOISE_AUTOREFRESH = DEBUG

# --- Email ----------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Souk <souk@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security: HTTPS deployments set SOUK_HTTPS=1 (docs/deploy.md) --------------------
SOUK_HTTPS = env.bool("SOUK_HTTPS", default=False)
SECURE_SSL_REDIRECT = SOUK_HTTPS
SESSION_COOKIE_SECURE = SOUK_HTTPS
CSRF_COOKIE_SECURE = SOUK_HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if SOUK_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SOUK_HTTPS
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=SOUK_HTTPS)
if env.bool("SOUK_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- Forms ----------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
        # A scanner device token anywhere but the scanner endpoints: 403 device_token_not_allowed.
        "badges.authentication.DeviceTokenRefused",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Souk API",
    "DESCRIPTION": "Craft fairs and exhibitions of a regional delegation of traditional industry.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStatusEnum": "registrations.models.ApplicationStatus",
        "FairStatusEnum": "fairs.models.FairStatus",
    },
    "SWAGGER_UI_DIST": "/static/vendor/swagger-ui",  # vendored: no CDN
    "SWAGGER_UI_FAVICON_HREF": "/static/favicon.svg",
}

# --- Logging --------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
