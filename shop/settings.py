"""Galla settings, read from the environment (and `.env` when present).

Every variable is listed in `.env.example` and documented in the README.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

# A fixed key is acceptable only for a development machine; production must set its own.
_DEV_SECRET_KEY = "django-insecure-galla-development-only-key-never-use-in-production"
SECRET_KEY = env("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else None)
if not SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY in the environment (or .env) when DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "unfold.apps.BasicAppConfig",  # the admin site is shop.sites.GallaAdminSite, an unfold site
    "unfold.contrib.filters",
    "unfold.contrib.forms",
    "unfold.contrib.import_export",
    "unfold.contrib.simple_history",
    "shop.apps.GallaAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "import_export",
    "simple_history",
    "django_q",
    "anymail",
    "pgtrigger",
    "axes",
    "shop",
    "catalog",
    "ledger",
    "sales",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout noticed by the view into the lockout page
]

ROOT_URLCONF = "shop.urls"
WSGI_APPLICATION = "shop.wsgi.application"
ASGI_APPLICATION = "shop.asgi.application"
AUTH_USER_MODEL = "shop.User"

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
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while a sale is written; IMMEDIATE makes writers queue on the
    # busy timeout instead of failing with "database is locked" halfway through a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and task queue -------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

Q_CLUSTER = {
    "name": "galla",
    "workers": env.int("Q_WORKERS", default=2),
    "timeout": 120,
    "retry": 180,  # must exceed timeout, or a slow task runs twice
    "max_attempts": 5,
    "catch_up": False,  # after downtime, do not replay every missed 9:00 summary
    "save_limit": 500,
    "label": _("Background tasks"),
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# --- Passwords, locale, time ----------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in throttling (django-axes): failed passwords are counted per username and per client address,
# each on its own, at the admin login and in the counter's approval box. The owner unlocks a user from
# the user list; `manage.py axes_reset` clears every lockout.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out name or address before any password check
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ADMIN = False  # the owner's "Unlock sign-in" action on the user list instead
AXES_LOCKOUT_CALLABLE = "shop.signin.lockout_response"
AXES_CLIENT_IP_CALLABLE = "shop.signin.client_ip_address"
BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", default=False)

# Idle sessions end: the cookie's age restarts with every request, so it counts from the last click.
# The counter page pings the server while it is open, so a cashier stays signed in through a shift.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_HOURS", default=4) * 3600
SESSION_SAVE_EVERY_REQUEST = True

LANGUAGE_CODE = "en-in"
TIME_ZONE = env("TIME_ZONE", default="Asia/Kolkata")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]


def _mukta_directory() -> str | None:
    """Return the folder of Mukta (fontpkg-mukta, the PDFs' font), served as a web font so Hindi names read on
    any machine; None without the package (browsers then fall back to their own fonts)."""
    try:
        import fontpkg

        return str(fontpkg.path("Mukta", weight=400).parent)
    except Exception:  # noqa: BLE001  (a missing or broken font package must not stop the site)
        return None


if _mukta_directory():
    STATICFILES_DIRS.append(("galla/fonts", _mukta_directory()))
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"

# --- Email ----------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Galla <billing@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
_email_host = env("EMAIL_HOST", default="")
_email_backend = env("EMAIL_BACKEND", default="smtp" if _email_host else "console")
_EMAIL_BACKEND_ALIASES = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}
_email_backend = _EMAIL_BACKEND_ALIASES.get(_email_backend, _email_backend)
if _email_backend.endswith("smtp.EmailBackend"):
    _email_options = {
        "host": _email_host or "localhost",
        "port": env.int("EMAIL_PORT", default=587),
        "username": env("EMAIL_USER", default=""),
        "password": env("EMAIL_PASSWORD", default=""),
        "use_tls": env.bool("EMAIL_USE_TLS", default=env.int("EMAIL_PORT", default=587) == 587),
        "timeout": 20,
    }
elif _email_backend.startswith("anymail."):
    _email_options = {"api_key": env("ANYMAIL_API_KEY", default="")}
else:
    _email_options = {}
MAILERS = {"default": {"BACKEND": _email_backend, "OPTIONS": _email_options}}
# The address people open Galla at, for links and the logo in emails sent by the background worker.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# Sent emails keep their attachments (invoice and statement PDFs) this long, then lose them (the row stays).
EMAIL_ATTACHMENT_RETENTION_DAYS = env.int("EMAIL_ATTACHMENT_RETENTION_DAYS", default=90)
# Password reset links from the login page stay valid this long (Django's PASSWORD_RESET_TIMEOUT, seconds).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_HOURS", default=24) * 3600

# --- Shop integrations ----------------------------------------------------------------------
UPI_MERCHANT_ID = env("UPI_MERCHANT_ID", default="")
UPI_API_KEY = env("UPI_API_KEY", default="")

# --- Security (production) ------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"  # views that must be framed (unfold's changelists) opt in themselves
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    if BEHIND_TLS_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Packages -------------------------------------------------------------------------------
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# Off: it strips a leading "=" only (and changes real data); every export escapes formulas itself
# (shop.spreadsheets.escape_formula, OWASP's leading quote for = + - @ tab CR).
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False
# The two-step import keeps uploads in a private folder under random names bound to the uploader.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "shop.import_uploads.PrivateUploadStorage"
IMPORT_EXPORT_SKIP_ADMIN_LOG = True
IMPORT_EXPORT_USE_TRANSACTIONS = True

SIMPLE_HISTORY_REVERT_DISABLED = True

# --- Uploaded spreadsheets (the admin's imports; `import_catalog` has no row limit) -------------
IMPORT_MAX_UPLOAD_BYTES = env.int("IMPORT_MAX_UPLOAD_BYTES", default=5 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=20_000)
IMPORT_MAX_COLUMNS = env.int("IMPORT_MAX_COLUMNS", default=60)
IMPORT_MAX_UNPACKED_BYTES = env.int("IMPORT_MAX_UNPACKED_BYTES", default=64 * 1024 * 1024)  # an .xlsx unzipped
IMPORT_UPLOAD_DIR = env.path("IMPORT_UPLOAD_DIR", default=BASE_DIR / "private" / "import-uploads")
IMPORT_UPLOAD_MAX_AGE = env.int("IMPORT_UPLOAD_MAX_AGE", default=6 * 60 * 60)  # seconds from preview to confirm
# Files with more data rows than this are imported by the background worker, with a job page to watch.
IMPORT_BACKGROUND_ROWS = env.int("IMPORT_BACKGROUND_ROWS", default=2_000)
# A background import's time limit in seconds (20,000 rows took 60-75 s on a busy test machine). Longer than
# Q_CLUSTER's retry on purpose: the ORM broker then hands the running task to a second worker, which finds
# the job claimed and skips it (catalog.import_jobs.import_job_run), so the import still runs once.
IMPORT_JOB_TIMEOUT = env.int("IMPORT_JOB_TIMEOUT", default=600)
IMPORT_JOB_MAX_ERRORS = 200  # problems kept on a failed job (the count says how many there were)

UNFOLD = {
    "SITE_TITLE": _("Galla"),
    "SITE_HEADER": _("Galla"),
    "SITE_SUBHEADER": _("Billing & inventory"),
    "SITE_SYMBOL": "storefront",
    "SITE_URL": "/",
    "SHOW_VIEW_ON_SITE": False,
    "SHOW_HISTORY": True,
    "ENVIRONMENT": "shop.sidebar.environment_badge",
    "DASHBOARD_CALLBACK": "reports.home.home_context",
    "STYLES": [lambda request: f"{STATIC_URL}galla/admin.css"],
    "COLORS": {
        "primary": {
            "50": "oklch(97.9% .021 166.113)",
            "100": "oklch(95% .052 163.051)",
            "200": "oklch(90.5% .093 164.15)",
            "300": "oklch(84.5% .143 164.978)",
            "400": "oklch(76.5% .177 163.223)",
            "500": "oklch(69.6% .17 162.48)",
            "600": "oklch(59.6% .145 163.225)",
            "700": "oklch(50.8% .118 165.612)",
            "800": "oklch(43.2% .095 166.913)",
            "900": "oklch(37.8% .077 168.94)",
            "950": "oklch(26.2% .051 172.552)",
        },
    },
    "SIDEBAR": {
        "show_search": True,
        "show_all_applications": False,
        "navigation": "shop.sidebar.navigation",
    },
}
