"""Bastion settings, read from the environment (see `.env.example` for every variable).

The defaults give the embedded set-up of `make run`: an SQLite file under `var/` and a Celery
broker on the file system, so nothing but Python is needed. Production sets `DATABASE_URL`
(PostgreSQL), `CELERY_BROKER_URL` (Redis or RabbitMQ), `SECRET_KEY` and `ALLOWED_HOSTS`.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def envsecret(name: str, default: str = "") -> str:
    """Read a secret from NAME, or from the file named by NAME_FILE (Docker/K8s secrets)."""
    path = env.str(f"{name}_FILE", default="")
    if path:
        return Path(path).read_text().strip()
    return env.str(name, default=default)


DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = envsecret("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if DEBUG:
    # A development key is fine on a developer's laptop and nowhere else.
    SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-do-not-use-in-production"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["localhost", "127.0.0.1", "[::1]"]
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see .env.example).")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off (see .env.example).")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "accounts.errors.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "template_partials",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "core",
    "accounts",
    "audit",
    "governance",
    "assessments",
    "records",
    "risks",
    "threats",
    "alignment",
    "response",
    "incidents",
    "components",
    "readiness",
    "reports",
    "regulatory",
    "notifications",
    "hygiene",
    "authn",
    "api",
    "webhooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.profiles.TimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "audit.channels.AuditChannelMiddleware",
    "authn.middleware.SignInPolicyMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "accounts.context_processors.organisation",
            ],
            "builtins": ["core.templatetags.ui"],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'bastion.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and IMMEDIATE transactions let the web server and the Celery worker share the file
    # without "database is locked" errors under the light load of the embedded set-up.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "authn.passwords.ContextWordsValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Brute-force protection: lock a username+address pair after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind a TLS proxy every request comes from the proxy's address. Set TRUSTED_PROXY_COUNT to the
# number of proxies in front of Bastion that append to X-Forwarded-For; the client address is
# then read from that header, never from a part a client could have written (authn/net.py).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "authn.net.client_ip"

# Two-factor sign-in (authn/): TOTP devices from django-otp, hashed one-time recovery codes.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Bastion")
OTP_TOTP_THROTTLE_FACTOR = 1  # a wrong code doubles the wait before the next try: 1, 2, 4 … s

# Sessions end after SESSION_IDLE_TIMEOUT seconds without a request and SESSION_ABSOLUTE_TIMEOUT
# seconds after sign-in, whatever the activity (authn/middleware.py).
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_ABSOLUTE_TIMEOUT = env.int("SESSION_ABSOLUTE_TIMEOUT", default=12 * 60 * 60)

# --- Security headers -----------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # pages carry the token (forms, hx-headers); no script reads the cookie
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    # HSTS is off until the operator has HTTPS working everywhere; then set these.
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    # `__Host-` cookies are sent only over HTTPS, for this host and path `/`: no sub-domain or
    # plain-HTTP page can set or overwrite them. Browsers refuse them without Secure.
    if SESSION_COOKIE_SECURE:
        SESSION_COOKIE_NAME = "__Host-sessionid"
    if CSRF_COOKIE_SECURE:
        CSRF_COOKIE_NAME = "__Host-csrftoken"

# Strict Content-Security-Policy: templates use no inline scripts or style attributes.
CONTENT_SECURITY_POLICY: dict[str, dict[str, list[str]]] | None = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],  # no page uses <base> (ASVS 3.4.3)
        "object-src": ["'none'"],
    }
}
if not env.bool("CSP_ENABLED", default=True):
    CONTENT_SECURITY_POLICY = None

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Forms ----------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
# The empty choice of every filter bar reads "Any", never django-filter's "---------".
FILTERS_EMPTY_CHOICE_LABEL = "Any"

from django.contrib.messages import constants as message_constants  # noqa: E402

MESSAGE_TAGS = {message_constants.ERROR: "danger"}

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="bastion@localhost")
# Where people reach Bastion: links in e-mails sent without a request (the daily digest).
BASTION_SITE_URL = env.str("SITE_URL", default="http://localhost:8000")
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))

# --- Cache ----------------------------------------------------------------------------------
# What is kept under an organisation's data version (audit.versions: readiness aggregates, rendered
# list rows, My work's count) and the API's rate limits. Default: each process its own memory,
# fine for `make run`. With several gunicorn workers or hosts set CACHE_URL to a shared Redis
# (e.g. redis://redis.example.com:6379/1, a database other than the broker's): every worker then
# reuses what one computed, and a token's rate limit holds across workers.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

# --- Celery ---------------------------------------------------------------------------------
# Settings follow the measured at-least-once pitfalls (research/perf-reliability-security.md
# §3.1): late acks, requeue when a worker dies, one message prefetched, no result backend
# (job state lives in our own tables), time limits below the broker's visibility timeout.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = 600
CELERY_TASK_SOFT_TIME_LIMIT = 540
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE


def filesystem_broker_options(var_dir: Path) -> dict:
    """Folders of the embedded broker, all under `var_dir` (created here).

    Kombu puts broadcast exchanges (worker remote control) in `control_folder`, relative to
    the working directory unless given: without it `make run` leaves `control/` in the
    repository root.
    """
    folders = {
        "data_folder_in": "queue",
        "data_folder_out": "queue",
        "processed_folder": "processed",
        "control_folder": "control",
    }
    options = {}
    for key, name in folders.items():
        (var_dir / "broker" / name).mkdir(parents=True, exist_ok=True)
        options[key] = str(var_dir / "broker" / name)
    return {**options, "store_processed": False}


if CELERY_BROKER_URL.startswith("filesystem://"):
    # The embedded broker: messages are files in var/broker, shared by web and worker.
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(VAR_DIR)
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=900),
        "unacked_restore_interval": 10,
        "unacked_restore_throttle": 1,
    }
CELERY_BEAT_SCHEDULE = {
    "verify-audit-chains": {
        "task": "audit.tasks.audit_verify_all_task",
        "schedule": 60 * 60 * 24,
    },
    "expire-risk-acceptances": {
        "task": "risks.tasks.acceptances_expire_task",
        "schedule": 60 * 60 * 24,
    },
    "sweep-jobs": {
        "task": "core.tasks.jobs_sweep_task",
        "schedule": 60,
    },
    "webhooks-sweep": {
        "task": "webhooks.tasks.sweep_task",
        "schedule": 120,
    },
    "notifications-daily": {
        "task": "notifications.tasks.reminders_run_task",
        "schedule": 60 * 60 * 24,
    },
    "webhooks-overdue": {
        "task": "webhooks.tasks.overdue_task",
        "schedule": 60 * 60 * 24,
    },
    # An upsert per day: every run rewrites today's rows, so the last run of a day stands.
    "snapshot-readiness": {
        "task": "readiness.tasks.snapshot_all_task",
        "schedule": 60 * 60 * 6,
    },
    # Verdicts compared with the latest earlier snapshot: `readiness.changed` webhook events.
    "webhooks-readiness": {
        "task": "webhooks.tasks.readiness_task",
        "schedule": 60 * 60 * 3,
    },
}
# Webhooks (docs/webhooks.md): who may be called and how hard we try.
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", default=False)
WEBHOOKS_ALLOW_HTTP = env.bool("WEBHOOKS_ALLOW_HTTP", default=False)
WEBHOOKS_MAX_ATTEMPTS = env.int("WEBHOOKS_MAX_ATTEMPTS", default=8)
WEBHOOKS_DISABLE_AFTER = env.int("WEBHOOKS_DISABLE_AFTER", default=8)
WEBHOOKS_RETRY_BASE_SECONDS = env.int("WEBHOOKS_RETRY_BASE_SECONDS", default=15)
WEBHOOKS_RETRY_MAX_SECONDS = env.int("WEBHOOKS_RETRY_MAX_SECONDS", default=6 * 60 * 60)
# A worker holds a job for this long without a heartbeat; after that the job is taken over
# (core/jobs.py). Jobs beat well within it; a lost worker's job resumes within about two leases.
BASTION_JOB_LEASE_SECONDS = env.int("JOB_LEASE_SECONDS", default=60)

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        # Security events: one JSON object a line, times in UTC (authn/security_log.py).
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger", "message": "event"},
            "timestamp": "time",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "security": {"class": "logging.StreamHandler", "formatter": "json"},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},
        # fpdf2 subsets the embedded font through fontTools, which narrates every table at INFO.
        "fontTools": {"level": "WARNING"},
        # Sign-ins, lockouts, two-factor changes, denials, exports, role changes: separate from the
        # audit trail, for the operator's log pipeline.
        "bastion.security": {"handlers": ["security"], "level": "INFO", "propagate": False},
    },
}

# --- Audit chain (docs/security/audit-chain.md) ----------------------------------------------
# HMAC keys as `id:secret` entries (the first seals new events); or a file of them. Without
# them a key derived from SECRET_KEY is used, which `check --deploy` warns about.
AUDIT_HMAC_KEYS = env.str("AUDIT_HMAC_KEYS", default="")
AUDIT_HMAC_KEY_FILE = env.str("AUDIT_HMAC_KEY_FILE", default="")
# Signed checkpoints of every chain head are appended here (make it append-only, see the doc).
AUDIT_CHECKPOINT_DIR = env.path("AUDIT_CHECKPOINT_DIR", default=VAR_DIR / "audit-checkpoints")

# --- REST API (api/README.md, docs/api.md) ----------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.BearerTokenAuthentication",  # first: its challenge is the 401's
        "rest_framework.authentication.SessionAuthentication",  # the docs page; writes need CSRF
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Cursor",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Requests per token (api/throttling.py): "<n>/<sec|min|hour|day>"; empty for no limit.
API_RATE_LIMIT = env.str("API_RATE_LIMIT", default="600/min")
SPECTACULAR_SETTINGS = {
    "TITLE": "Bastion API",
    "DESCRIPTION": "Governance of AI systems: inventory, library, assessments, control work, evidence, audit trail. "
    "Every path is under an organisation; a token acts with its owner's role there. See docs/api.md.",
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    # api/urls.py IdConverter: record ids, bounded so that an oversized one is a 404.
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 0, "maximum": 999_999_999_999_999_999}},
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": False, "displayOperationId": False},
    # One name for each choice set that several records share (api/record_serializers.py).
    "ENUM_NAME_OVERRIDES": {
        "RecordStatusEnum": "records.models.RecordStatus",
        "FindingStatusEnum": "threats.models.FindingStatus",
        "RatingEnum": "threats.models.LEVELS",
        "SurfaceEnum": "governance.models.Surface",
        "FindingSeverityEnum": "threats.models.Severity",
        "IncidentSeverityEnum": "incidents.models.IncidentSeverity",
        "AssignmentStepEnum": "api.serializers.assignment_steps",
        "RecordStepEnum": "api.serializers.record_steps",
        "ReviewStepEnum": "api.serializers.review_steps",
        "ComponentKindEnum": "components.models.Kind",
        "EvidenceKindEnum": "assessments.models.EvidenceKind",
    },
}

# --- Bastion --------------------------------------------------------------------------------
BASTION_DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="demo")
# seed_demo runs these in order; each app that adds demo data appends its seeder.
BASTION_DEMO_SEEDERS = [
    "accounts.demo.seed",
    "governance.demo.seed_library",
    "governance.demo.seed_inventory",
    "assessments.demo.seed",
    "risks.demo.seed",
    "threats.demo.seed",
    "threats.demo.seed_red_team",
    "alignment.demo.seed",
    "notifications.demo.seed",
    "components.demo.seed",
    "regulatory.demo.seed",
    "response.demo.seed",
    "incidents.demo.seed",
    "readiness.demo.seed",  # last: backdates what the others made and takes six months of snapshots
    "reports.demo.seed",  # after the backdating: a pack of the organisation as it stands today
]
# How many days of readiness history seed_demo snapshots (weekly over six months, daily at the end).
BASTION_DEMO_SNAPSHOT_DAYS = env.int("DEMO_SNAPSHOT_DAYS", default=40)

# Member invitations: how long a link works (re-sending starts a new period).
BASTION_INVITATION_DAYS = env.int("INVITATION_DAYS", default=7)

# Uploaded evidence: size limit per file (types are checked by content, assessments/evidence.py).
BASTION_EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)
