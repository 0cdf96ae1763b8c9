"""Kehu settings. Everything comes from environment variables, with defaults that give a
working SQLite demo; DATABASE_URL switches to PostgreSQL (see docs/admin-guide.md)."""

import os
from datetime import date
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("KEHU_DATA_DIR", BASE_DIR.parent / "var"))
DATA_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)  # owner-only (core.private)
if DATA_DIR.stat().st_uid == os.getuid():
    DATA_DIR.chmod(0o700)


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("KEHU_DEBUG", False)
# The demo key is only for the demo: `kehu serve` refuses to start with it unless in debug or
# demo mode (`kehu demo`), and check --deploy warns about it.
DEMO_SECRET_KEY = "kehu-demo-insecure-key-change-me"
SECRET_KEY = os.environ.get("KEHU_SECRET_KEY", DEMO_SECRET_KEY)
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("KEHU_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("KEHU_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

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
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "simple_history",
    "axes",
    "huey.contrib.djhuey",
    "kehu.core",
    "kehu.accounts",
    "kehu.reminders",
    "kehu.customers",
    "kehu.sales",
    "kehu.credit",
    "kehu.receivables",
    "kehu.relations",
    "kehu.service",
    "kehu.loyalty",
    "kehu.insights",
    "kehu.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "kehu.core.middleware.DomainErrorMiddleware",
    "kehu.core.middleware.IdleTimeoutMiddleware",
    "kehu.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "kehu.urls"
WSGI_APPLICATION = "kehu.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
    {
        # The rows of the lists only (kehu/core/jinja.py), from <app>/jinja2/.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "kehu.core.jinja.environment", "auto_reload": DEBUG},
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'kehu.sqlite3'}"),
        conn_max_age=int(os.environ.get("KEHU_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and one writer work at once; IMMEDIATE avoids "database is locked"
    # upgrades in the middle of a write transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                        "PRAGMA cache_size=-65536;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0 if "memory" in str(DATABASES["default"]["NAME"]) else 60
    # Tests on a file like production, not SQLite's shared-cache memory database: concurrent
    # writers there fail with "table is locked" instead of waiting their turn (CRD-3 tests).
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-axes: lock a username+IP after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("KEHU_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("KEHU_LOGIN_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# Behind a reverse proxy every request comes from the proxy: name it (comma-separated addresses)
# so that the lockout counts the client's own address, from X-Forwarded-For.
KEHU_TRUSTED_PROXIES = frozenset(a.strip() for a in os.environ.get("KEHU_TRUSTED_PROXIES", "").split(",") if a.strip())
AXES_CLIENT_IP_CALLABLE = "kehu.core.middleware.client_ip"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("KEHU_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]  # vendored front-end files (static/vendor/VERSIONS)
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = env_bool("KEHU_WHITENOISE_USE_FINDERS", False)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so that a request without a login is answered 401 (WWW-Authenticate: Token).
        "kehu.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "kehu.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kehu API",
    "DESCRIPTION": _("Kehu CRM REST API. Every endpoint applies the same data scopes as the pages."),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its readers need a login unless KEHU_PUBLIC_API_DOCS=1.
    "SERVE_PERMISSIONS": (["rest_framework.permissions.AllowAny"] if env_bool("KEHU_PUBLIC_API_DOCS", False)
                          else ["rest_framework.permissions.IsAuthenticated"]),
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation documents every error answer, all in one shape (core.api.document_errors).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "kehu.core.api.document_errors"],
    # Choice sets whose field names collide across apps get a name of their own.
    "ENUM_NAME_OVERRIDES": {
        "ReturnKindEnum": "kehu.sales.models.Return.Kind",
        "ReturnReasonEnum": "kehu.sales.models.Return.Reason",
        "CreditRequestKindEnum": "kehu.credit.models.CreditRequest.Kind",
        "TouchKindEnum": "kehu.relations.models.TouchKind",
        "MarketReportKindEnum": "kehu.relations.models.MarketReportKind",
        "RangeCarriedEnum": "kehu.relations.models.RangeCarried",
        "StockLevelEnum": "kehu.relations.models.StockLevel",
        "PaymentBehaviourEnum": "kehu.relations.models.PaymentBehaviour",
        "SupportKindEnum": "kehu.relations.models.SupportKind",
        "FamilyOccasionKindEnum": "kehu.relations.models.FamilyOccasionKind",
        "CreditLevelEnum": "kehu.credit.models.Level",
        "PaymentMethodEnum": "kehu.customers.models.PaymentMethod",
        "CustomerStatusEnum": "kehu.customers.models.Status",
        "ReceiptMethodEnum": "kehu.receivables.models.ReceiptMethod",
        "ComplaintKindEnum": "kehu.service.models.Complaint.Kind",
        "ComplaintNatureEnum": "kehu.service.models.Complaint.Nature",
        "ComplaintChannelEnum": "kehu.service.models.Complaint.Channel",
        "ComplaintStepEnum": "kehu.service.models.Step",
        "ComplaintChangeKindEnum": "kehu.service.models.Change.Kind",
        "ServiceOrderKindEnum": "kehu.service.models.ServiceOrder.Kind",
        "DefectionReasonEnum": "kehu.loyalty.models.DefectionReason",
        "WinBackOutcomeEnum": "kehu.loyalty.models.WinBackAttempt.Outcome",
    },
}

# Several app nodes and workers (docs/deploy.md): KEHU_REDIS_URL puts the task queue and the
# cache in Redis, shared by every node and worker; without it the queue is a SQLite file in
# KEHU_DATA_DIR and the cache is per process (one machine). KEHU_CACHE_URL, when given, puts the
# cache in another Redis database than the queue (a cache.clear() empties its whole database).
REDIS_URL = os.environ.get("KEHU_REDIS_URL", "").strip()
CACHE_URL = os.environ.get("KEHU_CACHE_URL", "").strip() or REDIS_URL
HUEY = {
    "huey_class": "huey.RedisHuey" if REDIS_URL else "huey.SqliteHuey",
    "name": "kehu",
    "immediate": env_bool("KEHU_HUEY_IMMEDIATE", False),
    **({"url": REDIS_URL} if REDIS_URL else {"filename": str(DATA_DIR / "huey.sqlite3")}),
}
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "kehu",
            # A Redis that does not answer fails the request (and /healthz) in seconds, not minutes.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }

# Upload limits: imports are capped (ARCHITECTURE: imports capped in size).
# 50 MB: a sheet of KEHU_IMPORT_MAX_ROWS customers with every column is over 20 MB. A large file is
# parsed row by row (core.excel), and a large API body, by the worker, never in a web worker.
KEHU_IMPORT_MAX_BYTES = int(os.environ.get("KEHU_IMPORT_MAX_BYTES", str(50 * 1024 * 1024)))
KEHU_IMPORT_MAX_ROWS = int(os.environ.get("KEHU_IMPORT_MAX_ROWS", "200000"))
# PLT-4: an import whose file (or API body) is larger than this runs as a background job in
# the worker (core.jobs), with a progress page; a smaller one is answered at once.
KEHU_JOB_INLINE_BYTES = int(os.environ.get("KEHU_JOB_INLINE_BYTES", str(100 * 1024)))
# Where a background job's input waits for the worker (core.jobs). With several machines it must
# be a directory every app node and worker shares (an NFS mount, docs/deploy.md): a worker on
# another machine reads the file a node wrote.
KEHU_JOB_DIR = Path(os.environ.get("KEHU_JOB_DIR", "").strip() or DATA_DIR / "jobs")
# AR-2: a promise made by phone a few days ago may still be recorded with its day.
KEHU_PROMISE_BACKDATE_DAYS = int(os.environ.get("KEHU_PROMISE_BACKDATE_DAYS", "7"))

# SVC-3: the after-sale follow-up call falls due this many days after an order is delivered.
KEHU_FOLLOW_UP_DAYS = int(os.environ.get("KEHU_FOLLOW_UP_DAYS", "7"))
# CRD-2: the requester never signs their own credit request. The general manager's own
# requests are signed by this second signer: a role (e.g. marketing_vp) or a username;
# empty, they wait for another general manager.
KEHU_CREDIT_SECOND_SIGNER = os.environ.get("KEHU_CREDIT_SECOND_SIGNER", "").strip()

# AR-1, AR-4: money (payments, invoices, returns) is dated at most this many days back, and
# never on or before the day the books are closed through (YYYY-MM-DD; empty: none closed).
KEHU_BACKDATE_DAYS = int(os.environ.get("KEHU_BACKDATE_DAYS", "31"))
KEHU_BOOKS_CLOSED_THROUGH = (date.fromisoformat(os.environ["KEHU_BOOKS_CLOSED_THROUGH"].strip())
                             if os.environ.get("KEHU_BOOKS_CLOSED_THROUGH", "").strip() else None)

# PLT-4 reminders. The site's address as users reach it, for the links in e-mails and group-robot
# messages; a group robot's webhook must be on one of KEHU_WEBHOOK_HOSTS (comma-separated; the
# WeCom and DingTalk robots' hosts by default; "*" for any host, e.g. an intranet relay), is
# given KEHU_WEBHOOK_TIMEOUT seconds; a failed send is retried KEHU_REMINDER_RETRIES times by the
# worker KEHU_REMINDER_RETRY_SECONDS apart, then by the five-minute sweep up to
# KEHU_REMINDER_MAX_ATTEMPTS attempts in all.
KEHU_BASE_URL = os.environ.get("KEHU_BASE_URL", "http://127.0.0.1:8000").strip()
_webhook_hosts = os.environ.get("KEHU_WEBHOOK_HOSTS", "qyapi.weixin.qq.com,oapi.dingtalk.com")
KEHU_WEBHOOK_HOSTS = (frozenset() if _webhook_hosts.strip() == "*"
                      else frozenset(h.strip().lower() for h in _webhook_hosts.split(",") if h.strip()))
KEHU_WEBHOOK_TIMEOUT = float(os.environ.get("KEHU_WEBHOOK_TIMEOUT", "5"))
KEHU_REMINDER_RETRIES = int(os.environ.get("KEHU_REMINDER_RETRIES", "3"))
KEHU_REMINDER_RETRY_SECONDS = int(os.environ.get("KEHU_REMINDER_RETRY_SECONDS", "60"))
KEHU_REMINDER_MAX_ATTEMPTS = int(os.environ.get("KEHU_REMINDER_MAX_ATTEMPTS", "10"))

# E-mail (reminders by e-mail, PLT-4): off unless KEHU_EMAIL_HOST names an SMTP server (or
# KEHU_EMAIL_BACKEND=console prints mails, for trying it out). See docs/admin-guide.md.
EMAIL_HOST = os.environ.get("KEHU_EMAIL_HOST", "").strip()
EMAIL_PORT = int(os.environ.get("KEHU_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("KEHU_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("KEHU_EMAIL_PASSWORD", "")
EMAIL_USE_SSL = env_bool("KEHU_EMAIL_SSL", False)
EMAIL_USE_TLS = env_bool("KEHU_EMAIL_TLS", not EMAIL_USE_SSL)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("KEHU_EMAIL_FROM", "kehu@localhost")
_email_backend = os.environ.get("KEHU_EMAIL_BACKEND", "smtp" if EMAIL_HOST else "off").strip().lower()
EMAIL_BACKEND = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
}.get(_email_backend, "django.core.mail.backends.dummy.EmailBackend")
KEHU_EMAIL_ENABLED = _email_backend in ("smtp", "console")

# PLT-2: an API token is valid this many days unless its owner chooses fewer (at most the maximum).
KEHU_API_TOKEN_DAYS = int(os.environ.get("KEHU_API_TOKEN_DAYS", "90"))
KEHU_API_TOKEN_MAX_DAYS = max(int(os.environ.get("KEHU_API_TOKEN_MAX_DAYS", "365")), KEHU_API_TOKEN_DAYS)

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

SESSION_COOKIE_HTTPONLY = True
KEHU_SESSION_IDLE_MINUTES = int(os.environ.get("KEHU_SESSION_IDLE_MINUTES", str(8 * 60)))
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Every script is a static file of our own: no inline script, nothing from another origin.
# (Inline styles stay allowed: the charts and htmx set them.)
KEHU_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# A visit may carry the place the phone reports (REL-2): geolocation for our own pages only.
KEHU_PERMISSIONS_POLICY = "camera=(), microphone=(), payment=(), usb=(), geolocation=(self)"
if env_bool("KEHU_HTTPS", False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("KEHU_SSL_REDIRECT", True)
    # The load balancer asks each node over plain HTTP whether it is healthy (docs/deploy.md).
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("KEHU_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preloading binds the domain to HTTPS in browsers for years: only on request.
    SECURE_HSTS_PRELOAD = env_bool("KEHU_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]  # preload is opt-in (KEHU_HSTS_PRELOAD=1)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusals_on_one_line": {"()": "kehu.core.logs.RefusalsOnOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["refusals_on_one_line"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("KEHU_LOG_LEVEL", "WARNING")},
}
