"""Zizhu settings: one module, two profiles chosen by the environment.

* ``embedded`` (default): SQLite in WAL mode, local-memory cache, in-memory channel
  layer, background jobs in-process. ``DATABASE_URL`` / ``REDIS_URL`` may still be set
  (the test suite does, to run on PostgreSQL and Redis).
* ``production`` (``ZIZHU_PROFILE=production``): everything from the environment,
  DEBUG off, secure cookies, HSTS, TLS redirect. Missing required variables stop start-up.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parents[3]  # repository root
PACKAGE_DIR = Path(__file__).resolve().parents[1]  # src/zizhu
VAR_DIR = Path(os.environ.get("ZIZHU_VAR_DIR", BASE_DIR / "var"))

PROFILE = os.environ.get("ZIZHU_PROFILE", "embedded")
if PROFILE not in {"embedded", "production"}:
    raise ImproperlyConfigured(f"ZIZHU_PROFILE must be 'embedded' or 'production', not {PROFILE!r}")
PRODUCTION = PROFILE == "production"


def env(name: str, default: str | None = None, *, required_in_production: bool = False) -> str | None:
    value = os.environ.get(name)
    if value in (None, "") and PRODUCTION and required_in_production:
        raise ImproperlyConfigured(f"{name} must be set in the production profile")
    return value if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    raw = os.environ.get(name, default)
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = (not PRODUCTION) and os.environ.get("ZIZHU_DEBUG", "0") == "1"
SECRET_KEY = env(
    "SECRET_KEY",
    "embedded-only-insecure-key-zizhu-please-set-SECRET_KEY-in-production-0123456789",
    required_in_production=True,
)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,[::1],testserver")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in the production profile")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",
    "channels",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "zizhu.core",
    "zizhu.accounts",
    "zizhu.notifications",
    "zizhu.catalog",
    "zizhu.search",
    "zizhu.payments",
    "zizhu.inventory",
    "zizhu.cart",
    "zizhu.orders",
    "zizhu.checkout",
    "zizhu.storefront",
    "zizhu.recommendations",
]

MIDDLEWARE = [
    "zizhu.core.middleware.RequestIdMiddleware",
    "zizhu.core.middleware.RefuseNulInPathMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "zizhu.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "zizhu.accounts.middleware.PreferencesMiddleware",
    "zizhu.accounts.devices.SessionTrackingMiddleware",
    "zizhu.catalog.owners.GuestKeyCookieMiddleware",  # a first product view's guest key: a signed cookie
    "zizhu.core.grants.GrantCookieMiddleware",  # a guest's orders and payments: signed cookies
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "zizhu.core.middleware.RateLimitedMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout found by its backend into our 429
]

ROOT_URLCONF = "zizhu.config.urls"
WSGI_APPLICATION = "zizhu.config.wsgi.application"
ASGI_APPLICATION = "zizhu.config.asgi.application"

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
                "zizhu.storefront.context_processors.shop",
                "zizhu.cart.context_processors.cart",
                "zizhu.notifications.context_processors.inbox",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL", required_in_production=True)
if DATABASE_URL:
    # Persistent connections suit WSGI workers (one thread each). Under ASGI every request may run
    # in a new thread, and persistent connections pile up until PostgreSQL refuses more: the
    # ASGI process sets DB_CONN_MAX_AGE=0 (see Procfile).
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")), conn_health_checks=True
        )
    }
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # Django's backend, whose health check polls the socket instead of sending SELECT 1 on every
        # request (zizhu/core/postgresql/base.py).
        DATABASES["default"]["ENGINE"] = "zizhu.core.postgresql"
    if DATABASES["default"]["ENGINE"].endswith("postgresql") and env("DB_PREPARED_STATEMENTS", "1") == "1":
        # Server-side binding + prepared statements (psycopg prepares a query once a connection has run
        # it 5 times): PostgreSQL stops parsing and planning every statement again, and the client stops
        # quoting literals. Measured on the checkout path: PostgreSQL CPU per order 3.9 → 2.4 ms, web
        # CPU 7.0 → 5.6 ms (docs/ordering.md). DB_PREPARED_STATEMENTS=0 behind a transaction-pooling
        # PgBouncer without prepared-statement support.
        DATABASES["default"].setdefault("OPTIONS", {}).update({"server_side_binding": True, "prepare_threshold": 5})
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(VAR_DIR / "zizhu.sqlite3")),
            # WAL lets readers and the single writer work at the same time; the
            # pragmas are applied on every new connection (see zizhu.core.apps).
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache, sessions, channel layer, Celery -----------------------------------------
REDIS_URL = env("REDIS_URL", required_in_production=True)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "zizhu"),
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
        }
    }
    SESSION_ENGINE = "zizhu.core.sessions"  # cached_db with a one-statement update
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}}
    CELERY_BROKER_URL = REDIS_URL
    # Product views, history touches and behaviour events go onto a Redis list after the response and
    # are written in bulk (zizhu.catalog.recording); embedded (and the test suite) writes them at once.
    ZIZHU_RECORDING_QUEUE = PRODUCTION and env("ZIZHU_RECORDING_QUEUE", "1") == "1"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CELERY_BROKER_URL = "memory://"

# Embedded: tasks run in-process right after the enqueueing transaction commits.
# Production: a Celery worker runs them; a killed worker repeats a task, never loses it.
CELERY_TASK_ALWAYS_EAGER = not PRODUCTION and os.environ.get("ZIZHU_CELERY_EAGER", "1") == "1"
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = "UTC"

# Periodic jobs: (dotted path of a callable, interval in seconds). Run by Celery beat in
# production and by the small scheduler thread of `manage.py run` when embedded.
ZIZHU_PERIODIC_JOBS = [
    ("zizhu.core.tasks.dispatch_pending_events", 30),
    ("zizhu.core.tasks.purge_dispatched_events", 3600),
    ("zizhu.recommendations.tasks.train_nightly", 3600),  # trains at night, once a day
    ("zizhu.recommendations.tasks.send_digests", 3600),  # customers whose usual hour of the week is now
    ("zizhu.catalog.tasks.purge_guest_activity", 86400),
    ("zizhu.catalog.tasks.flush_recorded_activity", 5),  # queued product views → history and events
    ("zizhu.core.idempotency.purge_expired", 3600),
    ("zizhu.payments.sandbox_gateway.delivery.deliver_due", 10),
    ("zizhu.payments.sandbox_gateway.api.purge_unused_tokens", 3600),
    ("zizhu.payments.services.retry_pending_refunds", 300),
    ("zizhu.orders.tasks.expire_unpaid_orders", 60),
]

# --- ordering (inventory, cart, checkout, orders) ---------------------------------------------
ZIZHU_CART_MAX_QUANTITY = 99  # most of one product per order unless inventory.PurchaseLimit says otherwise
ZIZHU_BUILD_TO_ORDER_LIMIT = 5  # built-to-order (configured) products: made to order, no stock row
ZIZHU_CART_CONFIRM_ABOVE = 20  # more of one item asks "are you sure?"
ZIZHU_ORDER_UNPAID_MINUTES = int(env("ZIZHU_ORDER_UNPAID_MINUTES", "30") or 30)  # then cancelled, stock released
ZIZHU_ORDER_LINK_MAX_AGE = 60 * 60 * 24 * 30  # a guest's signed order link (seconds)
ZIZHU_SITE_URL = env("ZIZHU_SITE_URL", "http://127.0.0.1:8000")  # links in e-mails


# --- recommendations -------------------------------------------------------------------
# Lists precomputed by `manage.py train_recommendations` / the nightly job; see docs/recommendations.md.
ZIZHU_RECOMMENDATIONS = {
    "list_size": 24,  # items stored per list (for you, similar, bought together)
    "threads": int(env("ZIZHU_RECOMMENDATIONS_THREADS", "2") or 2),  # ALS threads
}
# Offline evaluation data (`manage.py evaluate_recommendations`): holds uci-online-retail/.
ZIZHU_DATASETS_DIR = Path(env("ZIZHU_DATASETS_DIR", str(BASE_DIR.parent / "shared" / "datasets")))

# --- auth ----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# Axes first: it refuses a locked-out account+IP before any password is checked. Every
# authenticate() call must pass the request.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "zizhu.accounts.backends.EmailOrPhoneBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:signin"
LOGIN_REDIRECT_URL = "accounts:profile"
LOGOUT_REDIRECT_URL = "storefront:home"
PASSWORD_RESET_TIMEOUT = 60 * 60  # one hour

# Sign-in protection (zizhu.accounts.protection, docs/security.md): django-axes locks an account
# from one address after 5 wrong passwords for 15 minutes; rate limits per IP and per account.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "zizhu.accounts.protection.axes_username"
AXES_CLIENT_IP_CALLABLE = "zizhu.accounts.protection.axes_client_ip"
AXES_LOCKOUT_CALLABLE = "zizhu.accounts.protection.lockout_response"
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False
# (attempts, seconds) per fixed window; ".ip" counts per client address, ".account" per login.
ZIZHU_RATE_LIMITS = {
    "signin.ip": (30, 300),
    "signin.account": (10, 300),
    "signup.ip": (10, 3600),
    "signup.account": (3, 3600),
    "reset.ip": (10, 3600),
    "reset.account": (3, 3600),
    "otp.send.ip": (20, 3600),
    "otp.send.account": (1, 60),
    "otp.send.account.hour": (5, 3600),
    "otp.verify.ip": (30, 300),
    "otp.verify.account": (10, 300),
}
OTP_TOTP_ISSUER = "Zizhu 自助"
# Passkeys (WebAuthn): the relying party id (a domain, never an IP address) and the page origins
# allowed to answer. Unset, both follow the request's host (checked against ALLOWED_HOSTS).
WEBAUTHN_RP_ID = env("WEBAUTHN_RP_ID", "")
WEBAUTHN_RP_NAME = "Zizhu 自助"
WEBAUTHN_ORIGINS = env_list("WEBAUTHN_ORIGINS")
# Wrong second-factor guesses are limited by ZIZHU_RATE_LIMITS["otp.verify.*"] (10 per 5 minutes per
# account) instead of django-otp's growing delay, which also refused the right code right after a typo.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# Sign-in, sign-up and reset answers take at least this long (seconds), known account or not:
# longer than the slowest path (an Argon2 hash, a message) so timing tells nothing.
ZIZHU_AUTH_RESPONSE_FLOOR = {"signin": 0.8, "signup": 1.2, "reset": 0.8}

# --- i18n ------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS: list[Path] = []  # each app keeps its own locale/ folder
LANGUAGE_COOKIE_NAME = "zizhu_lang"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"  # shown to customers; stored in UTC
USE_TZ = True

# --- static and media ------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it, even when embedded
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# --- e-mail and SMS ------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "自助商城 Zizhu <no-reply@zizhu.local>")
if env("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env("EMAIL_HOST")
    EMAIL_PORT = int(env("EMAIL_PORT", "587") or 587)
    EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env("EMAIL_USE_TLS", "1") == "1"
else:
    # Embedded: every e-mail is written as a file a developer can open.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
SMS_SENDER = env("SMS_SENDER", "zizhu.core.sms.FileSmsSender")
SMS_FILE_PATH = str(VAR_DIR / "sms")

# Keys for encrypting personal data at rest: "key_id:base64key,..." (newest first), each
# exactly 32 bytes (AES-256); see zizhu.core.crypto and docs/security.md for rotation.
FIELD_ENCRYPTION_KEYS = env(
    "FIELD_ENCRYPTION_KEYS",
    "embedded:ZW1iZWRkZWQtb25seS1rZXktZm9yLWRldi0wMDAwMDA=",
    required_in_production=True,
)
# The secret of the blind indexes (HMAC look-up of encrypted values such as phone numbers).
# It does not rotate with FIELD_ENCRYPTION_KEYS; when unset in production the index key is
# derived from SECRET_KEY (changing either then needs `manage.py rotate_keys --reindex`).
BLIND_INDEX_KEY = env("BLIND_INDEX_KEY", None if PRODUCTION else "ZW1iZWRkZWQtb25seS1ibGluZC1pbmRleC1zZWNyZXQ=")

# --- security ------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env("SECURE_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# --- API ----------------------------------------------------------------------------------------
NINJA_PAGINATION_MAX_LIMIT = 100

# --- payments ------------------------------------------------------------------------------------
# Webhook secrets of the sandbox gateway, newest first: during a rotation both are accepted and
# the gateway signs with the first. The webhook URL defaults to the one the shop gives the gateway
# with each intent (built from the request's host).
PAYMENTS_PROVIDERS = {"sandbox": "zizhu.payments.providers.sandbox.SandboxProvider"}
PAYMENTS_SANDBOX_WEBHOOK_SECRETS = env_list(
    "PAYMENTS_SANDBOX_WEBHOOK_SECRETS", "whsec_embedded_only_sandbox_secret_change_me_0123456789"
)
PAYMENTS_WEBHOOK_TOLERANCE_SECONDS = int(env("PAYMENTS_WEBHOOK_TOLERANCE_SECONDS", "300") or 300)
PAYMENTS_SANDBOX_WEBHOOK_URL = env("PAYMENTS_SANDBOX_WEBHOOK_URL", "")
PAYMENTS_SANDBOX_WEBHOOK_DELIVERY = env(
    "PAYMENTS_SANDBOX_WEBHOOK_DELIVERY", "thread" if CELERY_TASK_ALWAYS_EAGER else "celery"
)
PAYMENTS_SANDBOX_WEBHOOK_SENDER = "zizhu.payments.sandbox_gateway.delivery.http_send"

# --- payment risk (zizhu.payments.risk; docs/payments.md "Risk") ---------------------------------
# Each signal that fires adds its weight; a score at or above the challenge threshold needs a second
# factor at the pay step, at or above the review threshold the card is only authorised and a staff
# member approves (capture) or rejects (void, order cancelled). A weight of 0 turns a signal off.
ZIZHU_RISK_WEIGHTS = {
    "new_device": 20,  # a device (browser + network) this customer never paid from, when they have paid before
    "velocity": 30,  # many payment attempts in 10 minutes / an hour
    "recent_failures": 25,  # failed or declined payments in the last 24 hours
    "amount": 35,  # far above the customer's median paid amount, or a first payment above the cap
    "new_address": 15,  # a delivery address never used in this customer's paid orders
    "region_mismatch": 20,  # delivery province differs from the province of the customer's network
    "shared_device": 30,  # many accounts seen on one device
}
ZIZHU_RISK_CHALLENGE_THRESHOLD = int(env("ZIZHU_RISK_CHALLENGE_THRESHOLD", "30") or 30)
ZIZHU_RISK_REVIEW_THRESHOLD = int(env("ZIZHU_RISK_REVIEW_THRESHOLD", "70") or 70)
ZIZHU_RISK_LIMITS = {
    "attempts_10_minutes": 3,
    "attempts_hour": 6,
    "failures_day": 2,
    "amount_multiplier": 3,
    "first_order_cap": "2000.00",
    "history_size": 20,
    "device_accounts": 3,
    "device_days": 30,
}
# Offline IP → province table (CSV "cidr,province"), added to the small built-in one; no look-up service.
ZIZHU_RISK_IP_REGIONS_FILE = env("ZIZHU_RISK_IP_REGIONS_FILE", "")
ZIZHU_RISK_IP_REGIONS: dict[str, str] = {}

# --- logging --------------------------------------------------------------------------------------
LOG_LEVEL = env("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "zizhu.core.logging.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "zizhu.core.logging.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
        },
        "plain": {
            "()": "zizhu.core.logging.SafeFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if PRODUCTION or env("LOG_JSON") == "1" else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # One line per successful task is noise (embedded runs every event through it).
        "celery.app.trace": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

ZIZHU_DEMO_PASSWORD = env("ZIZHU_DEMO_PASSWORD", "zizhu-demo-2026")
