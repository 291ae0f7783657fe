"""ToolCRM settings, read from the environment (12-factor).

Every value has a safe development default so that ``make run`` needs nothing configured;
``DJANGO_ENV=production`` switches on the secure defaults (HTTPS cookies, HSTS, mandatory 2FA for
admins and managers) and refuses to start without real secrets. See docs/operations.md for the full
list of variables.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DJANGO_ENV = env("DJANGO_ENV", "development")
IS_PRODUCTION = DJANGO_ENV == "production"
TESTING = env_bool("TOOLCRM_TESTING", False)

# Development-only secrets: fixed so that a newcomer's demo database stays readable between runs.
# Production refuses to start with them (see the check below).
_DEV_SECRET_KEY = "dev-insecure-toolcrm-secret-key-change-me-0123456789abcdefghijklmnopqrstuvwxyz"
_DEV_PII_KEYS = "dev1:ZGV2LW9ubHktcGlpLWtleS0zMi1ieXRlcy1sb25nISE="
_DEV_PII_INDEX_KEY = "ZGV2LW9ubHktYmxpbmQtaW5kZXgta2V5LTMyLWJ5dGVzIQ=="

SECRET_KEY = env("SECRET_KEY", "" if IS_PRODUCTION else _DEV_SECRET_KEY)
DEBUG = env_bool("DEBUG", not IS_PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if IS_PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# PII encryption key ring: "id:base64key,id:base64key"; the last one encrypts, all of them decrypt.
PII_KEYS = env("PII_KEYS", "" if IS_PRODUCTION else _DEV_PII_KEYS)
# Key for the HMAC blind index (exact-match lookups on encrypted columns). Never rotated casually:
# changing it means recomputing every index (manage.py rotate_pii_keys --reindex).
PII_INDEX_KEY = env("PII_INDEX_KEY", "" if IS_PRODUCTION else _DEV_PII_INDEX_KEY)

if IS_PRODUCTION:
    missing = [n for n in ("SECRET_KEY", "PII_KEYS", "PII_INDEX_KEY") if not globals()[n]]
    if missing:
        raise ImproperlyConfigured(f"Production needs these environment variables: {missing}")
    if _DEV_PII_KEYS in PII_KEYS or SECRET_KEY == _DEV_SECRET_KEY:
        raise ImproperlyConfigured("Production must not use the development keys.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # its bundled swagger-ui for /api/docs, served from our /static/ (no CDN)
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "auditlog",
    "django_tasks",
    "django_tasks_db",
    "toolcrm.core",
    "toolcrm.accounts",
    "toolcrm.stores",
    "toolcrm.catalog",
    "toolcrm.customers",
    "toolcrm.sales",
    "toolcrm.insights",
    "toolcrm.integrations",
    "toolcrm.tags",
    "toolcrm.loyalty",
    "toolcrm.recommendations",
    "toolcrm.rentals",
    "toolcrm.workspace",
    "toolcrm.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "toolcrm.core.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "toolcrm.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "toolcrm.accounts.middleware.RequireOTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "toolcrm.core.middleware.RequestLogMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "toolcrm.urls"
WSGI_APPLICATION = "toolcrm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "toolcrm" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "toolcrm.core.context_processors.navigation",
            ],
        },
    }
]

(BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'toolcrm.sqlite3'}"),
        conn_max_age=int(env("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker write while the web server reads; IMMEDIATE avoids lock upgrades.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif env("DB_JIT", "off").strip().lower() not in {"on", "true", "1", "yes"}:
    # PostgreSQL's JIT compiles a statement whose estimated cost is high. The app's statements
    # are short (a page, one customer's refresh), but a wide rule-tag aggregate for one customer
    # can be estimated high and then spend ~300 ms compiling to save nothing (seen in
    # bench/insights.py at a million customers); the nightly batches' wide aggregates spent
    # seconds compiling too. DB_JIT=on (or true/1/yes) keeps the server's setting.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()
# Memory per sort/hash of the nightly batches' big aggregates (PostgreSQL; core.db).
BATCH_WORK_MEM = env("BATCH_WORK_MEM", "256MB")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
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
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "workspace:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login lockout (django-axes): 5 failures per username + IP lock the pair for 30 minutes.
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(env("AXES_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)

# Second factor: roles listed here must verify a TOTP device before using the app.
OTP_REQUIRED = env_bool("OTP_REQUIRED", IS_PRODUCTION)
OTP_REQUIRED_ROLES = env_list(
    "OTP_REQUIRED_ROLES", "admin,store_manager,regional_manager,b2b_manager,hq_marketing"
)
OTP_TOTP_ISSUER = "ToolCRM"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "toolcrm" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", BASE_DIR / "node_modules" / "bootstrap-icons" / "font"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
]
# Uploaded files (import files kept with their job); never served by Django in production.
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media/"
# Rows per transaction of an import job; progress is saved after each chunk.
IMPORT_CHUNK_SIZE = int(env("IMPORT_CHUNK_SIZE", "500"))
# Order files of at least this many rows import through the bulk path on PostgreSQL (COPY into
# staging tables, set-based SQL; integrations/bulk_orders.py), IMPORT_BULK_CHUNK_SIZE rows per
# transaction. 0 turns the bulk path off.
IMPORT_BULK_THRESHOLD = int(env("IMPORT_BULK_THRESHOLD", "20000"))
IMPORT_BULK_CHUNK_SIZE = int(env("IMPORT_BULK_CHUNK_SIZE", "50000"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if IS_PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Customer insights (docs/architecture.md, "Insights"): lifecycle thresholds in days since the last
# purchase, the window of RFM frequency/monetary, and the CLV fit's minimum data and penalizer.
INSIGHTS_NEW_CUSTOMER_DAYS = int(env("INSIGHTS_NEW_CUSTOMER_DAYS", "90"))
INSIGHTS_AT_RISK_DAYS = int(env("INSIGHTS_AT_RISK_DAYS", "90"))
INSIGHTS_DORMANT_DAYS = int(env("INSIGHTS_DORMANT_DAYS", "180"))
INSIGHTS_LOST_DAYS = int(env("INSIGHTS_LOST_DAYS", "365"))
INSIGHTS_RFM_WINDOW_DAYS = int(env("INSIGHTS_RFM_WINDOW_DAYS", "365"))
INSIGHTS_CLV_MIN_CUSTOMERS = int(env("INSIGHTS_CLV_MIN_CUSTOMERS", "50"))
INSIGHTS_CLV_PENALIZER = float(env("INSIGHTS_CLV_PENALIZER", "0.001"))

# Computed tags (docs/architecture.md, "Tags"): behaviour tags look at TAGS_WINDOW_DAYS of orders
# and need TAGS_MIN_ORDERS orders; shares are fractions (0.6 = 60%); amounts in CNY.
TAGS_WINDOW_DAYS = int(env("TAGS_WINDOW_DAYS", "365"))
TAGS_MIN_ORDERS = int(env("TAGS_MIN_ORDERS", "3"))
TAGS_BRAND_SHARE = float(env("TAGS_BRAND_SHARE", "0.6"))
TAGS_CHANNEL_SHARE = float(env("TAGS_CHANNEL_SHARE", "0.7"))
TAGS_DISCOUNT_SHARE = float(env("TAGS_DISCOUNT_SHARE", "0.5"))
TAGS_PRO_CONSUMABLE_UNITS = int(env("TAGS_PRO_CONSUMABLE_UNITS", "30"))
TAGS_PRO_BRAND_SHARE = float(env("TAGS_PRO_BRAND_SHARE", "0.7"))
TAGS_PRO_BRAND_MIN_SPEND = int(env("TAGS_PRO_BRAND_MIN_SPEND", "5000"))
TAGS_PRO_BRANDS = env_list("TAGS_PRO_BRANDS", "博世,牧田,得伟,米沃奇")
TAGS_SEASONAL_SHARE = float(env("TAGS_SEASONAL_SHARE", "0.6"))
TAGS_SEASONAL_MIN_YEARS = int(env("TAGS_SEASONAL_MIN_YEARS", "2"))
TAGS_HIGH_CLV = int(env("TAGS_HIGH_CLV", "20000"))
TAGS_CHURN_PROBABILITY = float(env("TAGS_CHURN_PROBABILITY", "0.5"))
# Per-category repurchase cycles: a category needs this many purchase days to have a cycle, and is
# overdue when today passes the last purchase + cycle × tolerance. VIP: rolling 12-month net spend
# (CNY) at or above the threshold. Churn: no purchase within the horizon (days) after a cut-off.
INSIGHTS_CYCLE_MIN_PURCHASE_DAYS = int(env("INSIGHTS_CYCLE_MIN_PURCHASE_DAYS", "3"))
INSIGHTS_CYCLE_TOLERANCE = float(env("INSIGHTS_CYCLE_TOLERANCE", "1.5"))
INSIGHTS_VIP_THRESHOLD = env("INSIGHTS_VIP_THRESHOLD", "500000")
INSIGHTS_CHURN_HORIZON_DAYS = int(env("INSIGHTS_CHURN_HORIZON_DAYS", "90"))

# Loyalty (docs/architecture.md, "Loyalty"): tier thresholds on rolling 12-month net spend (CNY),
# points earned per CNY (times the tier's multiplier), points worth 1 CNY when redeemed, months
# before a points lot expires, and the coupon templates of the referral and birthday rewards.
LOYALTY_TIER_THRESHOLDS = {
    "standard": 0,
    "silver": int(env("LOYALTY_SILVER_SPEND", "5000")),
    "gold": int(env("LOYALTY_GOLD_SPEND", "20000")),
    "diamond": int(env("LOYALTY_DIAMOND_SPEND", "100000")),
}
LOYALTY_SPEND_WINDOW_DAYS = int(env("LOYALTY_SPEND_WINDOW_DAYS", "365"))
LOYALTY_POINTS_PER_CNY = int(env("LOYALTY_POINTS_PER_CNY", "1"))
LOYALTY_POINTS_PER_CNY_REDEEMED = int(env("LOYALTY_POINTS_PER_CNY_REDEEMED", "100"))
LOYALTY_POINTS_EXPIRY_MONTHS = int(env("LOYALTY_POINTS_EXPIRY_MONTHS", "24"))
LOYALTY_REFERRAL_TEMPLATE = env("LOYALTY_REFERRAL_TEMPLATE", "referral-500")
LOYALTY_BIRTHDAY_TEMPLATE = env("LOYALTY_BIRTHDAY_TEMPLATE", "birthday-50")
LOYALTY_RETURN_WINDOW_DAYS = int(env("LOYALTY_RETURN_WINDOW_DAYS", "7"))

# Tool rental and trial loans (docs/architecture.md, "Rentals and trial loans"): percentages of the
# list price for products without their own rental price, late fee per day as a percentage of the
# daily rate, longest loans, and the rent credited when a loan is converted to a purchase.
RENTALS_DAILY_RATE_PERCENT = env("RENTALS_DAILY_RATE_PERCENT", "5")
RENTALS_DEPOSIT_PERCENT = env("RENTALS_DEPOSIT_PERCENT", "50")
RENTALS_LATE_FEE_PERCENT = env("RENTALS_LATE_FEE_PERCENT", "50")
RENTALS_MAX_DAYS = int(env("RENTALS_MAX_DAYS", "30"))
RENTALS_TRIAL_MAX_DAYS = int(env("RENTALS_TRIAL_MAX_DAYS", "7"))
RENTALS_CONVERSION_CREDIT_PERCENT = env("RENTALS_CONVERSION_CREDIT_PERCENT", "100")
RENTALS_CONVERSION_CREDIT_CAP_PERCENT = env("RENTALS_CONVERSION_CREDIT_CAP_PERCENT", "50")

# Recommendations (docs/architecture.md, "Recommendations"): rule-mining thresholds (support as a
# share of baskets, with a floor in baskets; confidence; lift), and for one customer's list the
# window of recent purchases not offered again, the list size and the items allowed per category.
RECOMMENDATIONS_MIN_SUPPORT = float(env("RECOMMENDATIONS_MIN_SUPPORT", "0.0005"))
RECOMMENDATIONS_MIN_PAIR_COUNT = int(env("RECOMMENDATIONS_MIN_PAIR_COUNT", "5"))
RECOMMENDATIONS_MIN_CONFIDENCE = float(env("RECOMMENDATIONS_MIN_CONFIDENCE", "0.05"))
RECOMMENDATIONS_MIN_LIFT = float(env("RECOMMENDATIONS_MIN_LIFT", "1.5"))
RECOMMENDATIONS_RECENT_DAYS = int(env("RECOMMENDATIONS_RECENT_DAYS", "90"))
RECOMMENDATIONS_LIST_SIZE = int(env("RECOMMENDATIONS_LIST_SIZE", "8"))
RECOMMENDATIONS_PER_CATEGORY = int(env("RECOMMENDATIONS_PER_CATEGORY", "2"))

# Periodic jobs: `manage.py run_scheduler` (started by `make run` and in deploy/) enqueues each
# task once a day at its local time (TIME_ZONE); a missed run is caught up when it starts again.
# (name, dotted path of a django-tasks task, "HH:MM" daily or "<mon…sun> HH:MM" weekly)
SCHEDULE: list[tuple[str, str, str]] = [
    ("insights.nightly", "toolcrm.insights.tasks.recompute_all_scores", "02:00"),
    ("integrations.duplicates", "toolcrm.integrations.tasks.find_duplicates", "04:00"),
    ("tags.nightly", "toolcrm.tags.tasks.recompute_all_tags", "03:00"),
    ("insights.churn_weekly", "toolcrm.insights.tasks.retrain_churn_model", "sun 03:30"),
    ("recommendations.rules", "toolcrm.recommendations.tasks.mine_association_rules", "03:00"),
    ("rentals.overdue", "toolcrm.rentals.tasks.mark_overdue_agreements", "00:10"),
    ("loyalty.expire_points", "toolcrm.loyalty.tasks.expire_points", "00:30"),
    ("loyalty.review_tiers", "toolcrm.loyalty.tasks.review_tiers", "01:00"),
    ("loyalty.returns", "toolcrm.loyalty.tasks.reverse_points_for_returns", "01:30"),
    ("loyalty.birthdays", "toolcrm.loyalty.tasks.issue_birthday_coupons", "08:00"),
]

# Background work: the database queue by default (make run starts its worker), RQ on Redis at scale.
TASKS_BACKEND = env("TASKS_BACKEND", "database")
_TASK_BACKENDS = {
    "database": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    "immediate": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "rq": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]},
}
TASKS = {"default": _TASK_BACKENDS[TASKS_BACKEND]}
REDIS_URL = env("REDIS_URL", "redis://127.0.0.1:6379/0")
if TASKS_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    # With Redis at hand the cache is shared by every web process, so per-user rate limits (the
    # integration API) count across processes instead of once per process.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "toolcrm",
        }
    }

# Security headers and cookies. Production turns the HTTPS-only ones on.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(env("SESSION_COOKIE_AGE", str(10 * 3600)))  # one shift
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = IS_PRODUCTION
CSRF_COOKIE_SECURE = IS_PRODUCTION
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", IS_PRODUCTION)
# Probes (load balancer, monitoring) may call /healthz over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000" if IS_PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = IS_PRODUCTION
SECURE_HSTS_PRELOAD = IS_PRODUCTION
if env_bool("BEHIND_PROXY", IS_PRODUCTION):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'"
)

# Audit log: who changed what. PII columns are excluded from the log (only their blind index
# appears), so the audit trail never becomes a second plaintext copy of phone numbers.
AUDITLOG_INCLUDE_ALL_MODELS = False

LOG_FORMAT = env("LOG_FORMAT", "json" if IS_PRODUCTION else "text")
LOG_LEVEL = env("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)-7s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# API tokens for integrations are hashed; the API accepts "Authorization: Bearer <token>".
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 200
# Calls per user to the batch endpoints of /api/integrations/ ("120/m": 120 a minute; s, m, h, d).
INTEGRATION_API_RATE = env("INTEGRATION_API_RATE", "120/m")
