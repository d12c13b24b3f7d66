"""Settings for every environment, read from environment variables.

The defaults run the demo on one machine with nothing else installed: a SQLite file, the
database search fallback, Celery in eager mode and e-mail on the console. Production sets
``DEBUG=0``, ``SECRET_KEY``, ``ALLOWED_HOSTS``, ``DATABASE_URL``, ``CELERY_BROKER_URL`` and
``ELASTICSEARCH_URL``. A malformed value stops the start-up with a message (django-environ).
"""

import ipaddress
from datetime import timedelta
from pathlib import Path

import csp.constants as csp
import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parents[2]  # the repository root
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)

# Only the demo may run on the well-known key; a production start without a key fails here.
_DEMO_SECRET_KEY = "demo-only-insecure-key-never-use-in-production-0123456789"
SECRET_KEY = env.str("SECRET_KEY", default=_DEMO_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set when DEBUG=0 / 关闭调试时必须设置 SECRET_KEY"
    )

# Salt of the keys that encrypt complainants' personal data (cases.models.personal_data),
# with SECRET_KEY. A comma-separated list rotates: the first encrypts, the others still read.
_DEMO_SALT_KEY = "demo-only-salt-never-use-in-production"
SALT_KEY = env.list("SALT_KEY", default=[_DEMO_SALT_KEY] if DEBUG else [])
if not SALT_KEY:
    raise ImproperlyConfigured("SALT_KEY must be set when DEBUG=0 / 关闭调试时必须设置 SALT_KEY")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Ours, bottom layer first (foundation ← enterprises ← cases ← search ← portal); the
    # foundation's ready() connects the roles' sync before the portal's moderation set-up.
    "foundation",
    "portal",
    "enterprises",
    "cases",
    "search",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "portal.security.users_app.PortalUsersAppConfig",  # Wagtail users: add = invite
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "guardian",
    "django_ratelimit",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    # Times the whole request, by view (django-prometheus; its pair is the last middleware).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # Before everything that may log: every line of the request carries its id.
    "portal.operations.request_ids.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # PostgreSQL unreachable: the static 503 page instead of a 500
    # (portal.availability.unavailable).
    "portal.availability.unavailable.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Issue 9: the acting user for permission-change events, the idle timeout, then the
    # second factor of officials and administrators (after messages: both may add one).
    "portal.security.permission_audit.ActorMiddleware",
    "portal.security.session_expiry.IdleSessionMiddleware",
    "portal.security.second_factor.SecondFactorRequiredMiddleware",
    # Inside CSP, locale and sessions: a cached page still gets their headers
    # (portal.site.page_cache).
    "portal.site.page_cache.PublicPageCacheMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "portal.config.urls"
# The service standard (服务标准) a checklist item cites: a page of the public site, named
# here so the cases app can point at it without importing the site (like AUTH_USER_MODEL).
SERVICE_STANDARD_PAGE_MODEL = "portal.StandardPage"
WSGI_APPLICATION = "portal.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "portal" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # The demo's single writer: wait for the lock instead of failing under the dev server.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://portal")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # Redis down or frozen: a cache miss within a second, never an error page (the rate
    # limits fail open, pages render afresh), so the complaint form stays open.
    CACHES["default"]["BACKEND"] = "portal.availability.unavailable.DegradingRedisCache"
    CACHES["default"].setdefault("OPTIONS", {}).update(
        socket_connect_timeout=1.0, socket_timeout=1.0
    )
# Deployments (or test runs) sharing one Redis keep their keys apart (django-environ's own
# ``?key_prefix=`` is lower-case, which Django ignores).
CACHES["default"]["KEY_PREFIX"] = env.str("CACHE_KEY_PREFIX", default="")
RATELIMIT_FAIL_OPEN = True
# django-ratelimit's list of "supported" caches predates Django's own Redis cache, whose
# atomic incr() is all it needs (tested in tests/portal/test_tracking.py).
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
if "locmem" in CACHES["default"]["BACKEND"]:
    # One process (the demo): a per-process cache counts attempts correctly. Any deployment
    # with several workers sets CACHE_URL to Redis, which django-ratelimit needs.
    SILENCED_SYSTEM_CHECKS.append("django_ratelimit.E003")

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username and address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Guardian's anonymous user row is not needed: anonymous citizens never hold object permissions.
ANONYMOUS_USER_NAME = None

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Argon2 first (Django's recommended hasher): memory-hard at Django's costs (t=2, 100 MiB,
# 8 lanes), and cheaper in CPU per sign-in than PBKDF2's million rounds (0.18 s against 0.23 s
# on the 2-core bench machine). Older hashes still verify and are rehashed on sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
LOGIN_URL = "wagtailadmin_login"
# Wagtail's sign-in form with every label translated (portal.security.login_form).
WAGTAILADMIN_USER_LOGIN_FORM = "portal.security.login_form.StaffLoginForm"
# No "what's new in Wagtail" banner on the staff dashboard (portal/wagtail_hooks.py).
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
# Staff login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one
# username from one address, that pair is locked out for AXES_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A try while locked out (even with the right password) is refused but not counted, so the
# lockout ends when the page said it would instead of restarting with every try.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The lockout page with the minutes still left (portal/templates/portal/locked_out.html).
AXES_LOCKOUT_CALLABLE = "portal.security.lockout.lockout_response"
AXES_LOCKOUT_TEMPLATE = "portal/locked_out.html"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
AXES_VERBOSE = False
# Second factor (django-otp): officials and administrators confirm each sign-in with a code
# from an authenticator app (TOTP) or a single-use recovery code. Each wrong code doubles the
# wait before the next try (1, 2, 4 … seconds times the factor).
REQUIRE_SECOND_FACTOR = env.bool("REQUIRE_SECOND_FACTOR", default=True)
OTP_TOTP_THROTTLE_FACTOR = env.int("OTP_TOTP_THROTTLE_FACTOR", default=1)
OTP_STATIC_THROTTLE_FACTOR = OTP_TOTP_THROTTLE_FACTOR
# Signed-in sessions end after this long without a request (portal.security.session_expiry), and
# when the browser closes; SESSION_COOKIE_AGE below bounds them absolutely.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Sessions stay in the database only (not cached_db): a cached session whose row is gone (a
# restored database) would answer 400 on every request until the cache entry expired.

# Internationalisation: Simplified Chinese first, English complete.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "portal" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))

# Uploaded and generated files: local disk for the demo; with OBJECT_STORE_URL, a private
# bucket of an S3-compatible store that every app server shares (foundation.storage). Files
# are only ever streamed by the views that check the record's permission.
OBJECT_STORE_URL = env.str("OBJECT_STORE_URL", default="")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if OBJECT_STORE_URL:
    STORAGES["default"] = {
        "BACKEND": "foundation.storage.PrivateObjectStorage",
        "OPTIONS": {
            "endpoint_url": OBJECT_STORE_URL,
            "bucket_name": env.str("OBJECT_STORE_BUCKET"),
            "access_key": env.str("OBJECT_STORE_ACCESS_KEY", default="") or None,
            "secret_key": env.str("OBJECT_STORE_SECRET_KEY", default="") or None,
            "region_name": env.str("OBJECT_STORE_REGION", default="us-east-1"),
            "location": env.str("OBJECT_STORE_PREFIX", default=""),
        },
    }
# Wagtail documents through Django's view (its own privacy check), never a bucket redirect.
WAGTAILDOCS_SERVE_METHOD = "serve_view"

# The public complaint form: up to five photos or PDFs (a PDF may be as large as a case
# attachment), and at most COMPLAINT_RATE_LIMIT submissions (POSTs) per client address.
# Uploads are read into memory only up to 2.5 MB, larger ones spill to disk.
COMPLAINT_PHOTO_MAX_BYTES = env.int("COMPLAINT_PHOTO_MAX_BYTES", default=10 * 1024 * 1024)
COMPLAINT_MAX_FILES = 5
COMPLAINT_RATE_LIMIT = env.str("COMPLAINT_RATE_LIMIT", default="10/h")
# Staff intake (portal.intake): a caller with this many complaints within these days is a
# repeat caller, flagged to staff who may see personal data.
REPEAT_CALLER_COMPLAINTS = env.int("REPEAT_CALLER_COMPLAINTS", default=2)
REPEAT_CALLER_DAYS = env.int("REPEAT_CALLER_DAYS", default=90)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# A whole multipart request (five 10 MB files and the form) is refused beyond this before
# its body is read (foundation.uploads.RequestSizeLimitHandler); the front proxy should agree.
UPLOAD_REQUEST_MAX_BYTES = env.int("UPLOAD_REQUEST_MAX_BYTES", default=64 * 1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    "foundation.uploads.RequestSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
# SMS through a small backend interface; the default writes to the log.
SMS_BACKEND = env.str("SMS_BACKEND", default="foundation.notifications.LogSmsBackend")
# The HTTP gateway's settings (foundation.notifications.HttpSmsBackend documents them).
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_SECRET = env.str("SMS_GATEWAY_SECRET", default="")
SMS_GATEWAY_TEMPLATE_ID = env.str("SMS_GATEWAY_TEMPLATE_ID", default="")
SMS_GATEWAY_TIMEOUT = env.float("SMS_GATEWAY_TIMEOUT", default=10.0)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@housing-regulator.example")

# Celery: eager without a broker (the demo), a real queue with one.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # kombu's Redis transport with the guard that keeps a worker alive when the broker is
    # killed while it holds unacknowledged tasks (see portal/config/broker.py).
    CELERY_BROKER_TRANSPORT = "portal.config.broker:Transport"
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# A down broker must not hold a citizen's request: fail fast, the outbox sweep catches up.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# No publish retry: redis-py reconnects a stale pooled connection by itself, and a retry only
# doubles the wait on a frozen Redis (tests/faults/test_redis_down.py measures it).
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A frozen Redis (accepts, never answers) would hold a publish forever without a socket
# timeout; it must stay above the 1 s BRPOP poll of the workers. A task whose worker died
# unacknowledged goes back to the queue after CELERY_VISIBILITY_TIMEOUT seconds: above the
# longest retry countdown (1 h), or a task waiting for its retry would run twice.
_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=7200)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 2.0,
    "socket_connect_timeout": 2.0,
    # One connection attempt per publish: kombu would otherwise retry for the whole
    # connection timeout (2 s) on every task queued while Redis is down.
    "max_retries": 0,
    "visibility_timeout": _VISIBILITY_TIMEOUT,
    # Look for such tasks a few times per timeout (kombu's default looks every 100 s).
    "unacked_restore_interval": max(1, min(10, _VISIBILITY_TIMEOUT // 4)),
    "unacked_restore_throttle": 1,
}
# Readiness (/healthz/ready, portal.availability.health) fails when no worker has started a
# task for READINESS_WORKER_SILENCE seconds (the reconcile sweep gives them one a minute), or
# when more than READINESS_MAX_INDEX_BACKLOG changes wait for the search index, or more than
# READINESS_MAX_UNSENT_MESSAGES messages wait to be sent, for READINESS_BACKLOG_AGE seconds
# or longer (a burst that the workers are clearing is not a fault).
READINESS_WORKER_SILENCE = env.int("READINESS_WORKER_SILENCE", default=300)
READINESS_BACKLOG_AGE = env.int("READINESS_BACKLOG_AGE", default=300)
READINESS_MAX_INDEX_BACKLOG = env.int("READINESS_MAX_INDEX_BACKLOG", default=100)
READINESS_MAX_UNSENT_MESSAGES = env.int("READINESS_MAX_UNSENT_MESSAGES", default=50)
CELERY_IMPORTS = [
    "foundation.notifications",
    "enterprises.credit_tasks",
    "cases.supervision_tasks",
    "cases.opendata_tasks",
    "search.report_tasks",
    "cases.penalty_tasks",
]
CELERY_BEAT_SCHEDULE = {
    # The two sweeps (this one and "portal-send-pending-notifications") bound the catch-up
    # after an outage of the broker, the workers, Elasticsearch or a gateway: whatever was
    # lost is indexed or sent within a minute of the workers' return. Safe to run often: a
    # sweep that finds nothing costs a query, and a message is sent under its row lock, so a
    # sweep racing the message's own task still sends it once.
    "search-reconcile": {"task": "search.tasks.reconcile_index", "schedule": 60.0},
    # The open data set (开放数据), rebuilt nightly.
    "cases-build-open-data": {
        "task": "cases.opendata_tasks.build_open_data_task",
        "schedule": crontab(hour=3, minute=30),
    },
    # Last month's report for every district and the city, on the first of the month.
    "search-monthly-reports": {
        "task": "search.report_tasks.generate_monthly_reports_task",
        "schedule": crontab(day_of_month=1, hour=2, minute=30),
    },
    # Rectification orders past their deadline: flagged once, counted against credit.
    "cases-flag-overdue-orders": {
        "task": "cases.supervision_tasks.flag_overdue_orders_task",
        "schedule": crontab(minute=10),
    },
    # Penalties: the 90-day limit to decide warned and escalated; results taken off the public
    # site when their publicity period ends (both idempotent, kept in the register).
    "cases-penalty-decision-limits": {
        "task": "cases.penalty_tasks.sweep_decision_limits_task",
        "schedule": crontab(minute=20),
    },
    "cases-penalty-end-publicity": {
        "task": "cases.penalty_tasks.end_publicity_task",
        "schedule": crontab(hour=0, minute=15),
    },
    "portal-send-pending-notifications": {
        "task": "foundation.notifications.send_pending_notifications",
        "schedule": 60.0,
    },
    # Sent messages keep their text and recipient NOTIFICATION_TEXT_RETENTION_DAYS days.
    "portal-forget-sent-notification-texts": {
        "task": "foundation.notifications.forget_sent_notification_texts",
        "schedule": crontab(hour=3, minute=10),
    },
    "enterprises-expire-licences": {
        "task": "enterprises.tasks.expire_licences_task",
        "schedule": crontab(hour=1, minute=0),
    },
    "enterprises-expire-contracts": {
        "task": "enterprises.tasks.expire_contracts_task",
        "schedule": crontab(hour=1, minute=5),
    },
    "enterprises-warn-expiring-licences": {
        "task": "enterprises.tasks.warn_expiring_licences_task",
        "schedule": crontab(hour=1, minute=10),
    },
    "enterprises-recompute-credit": {
        "task": "enterprises.credit_tasks.recompute_all_credit",
        "schedule": crontab(hour=2, minute=0),
    },
    "cases-sla-sweep": {"task": "cases.tasks.sweep_sla", "schedule": 300.0},
    # Personal data of cases closed longer than PERSONAL_DATA_RETENTION_DAYS ago is removed.
    "cases-anonymise-closed-complaints": {
        "task": "cases.tasks.anonymise_closed_complaints",
        "schedule": crontab(hour=3, minute=0),
    },
    # Evaluators' engagements: access granted on the first day, withdrawn after the last or
    # when the organisation's qualification runs out.
    "enterprises-sweep-evaluator-engagements": {
        "task": "enterprises.tasks.sweep_evaluator_engagements_task",
        "schedule": crontab(minute=20),
    },
    # Owners' committees whose term is over lose their access (enterprises.committees).
    "enterprises-end-committee-terms": {
        "task": "enterprises.tasks.end_expired_committee_terms_task",
        "schedule": crontab(minute=15),
    },
    # Overdue work reports and unanswered improvement requests (enterprises.work_reports,
    # enterprises.improvement_requests), flagged once each.
    "enterprises-flag-overdue-owner-matters": {
        "task": "enterprises.tasks.flag_overdue_owner_matters_task",
        "schedule": crontab(hour=1, minute=40),
    },
    # Owners' surveys past their last day close (enterprises.surveys).
    "enterprises-close-due-surveys": {
        "task": "enterprises.tasks.close_due_surveys_task",
        "schedule": crontab(minute=25),
    },
    # Handovers past their due date are flagged to the district (enterprises.handovers).
    "enterprises-flag-overdue-handovers": {
        "task": "enterprises.tasks.flag_overdue_handovers_task",
        "schedule": crontab(hour=7, minute=20),
    },
}

# Case handling (cases.dispatch, cases.supervision), in working hours of cases.calendar.
# A unit that has not signed for (签收) a dispatch within this time is flagged.
CASE_SIGN_WITHIN_HOURS = env.int("CASE_SIGN_WITHIN_HOURS", default=4)
# A return (退单) awaits an official's ruling for this long before the sweep flags it.
CASE_RULE_ON_RETURN_WITHIN_HOURS = env.int("CASE_RULE_ON_RETURN_WITHIN_HOURS", default=7)
# Overdue by this much more, a case escalates from the district official to the head of
# department (the second rung of 督办).
CASE_ESCALATE_TO_HEAD_AFTER_HOURS = env.int("CASE_ESCALATE_TO_HEAD_AFTER_HOURS", default=14)
# Evidence and internal attachments: PDF or images, typed by content.
CASE_ATTACHMENT_MAX_BYTES = env.int("CASE_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
# Days a closed case keeps its complainant's personal data (cases.retention).
PERSONAL_DATA_RETENTION_DAYS = env.int("PERSONAL_DATA_RETENTION_DAYS", default=730)
# Days a sent e-mail or SMS keeps its text and recipient in the outbox (an SMS can carry an
# access code); after that the row says only that it was sent (foundation.notifications).
NOTIFICATION_TEXT_RETENTION_DAYS = env.int("NOTIFICATION_TEXT_RETENTION_DAYS", default=30)
# Wrong access codes on the tracking page, per client address (django-ratelimit syntax).
TRACKING_RATE_LIMIT = env.str("TRACKING_RATE_LIMIT", default="10/h")
RATELIMIT_VIEW = "portal.site.tracking.rate_limited"
# Wrong household codes on the survey pages (portal.site.survey_answers), per client address.
SURVEY_CODE_RATE_LIMIT = env.str("SURVEY_CODE_RATE_LIMIT", default="20/h")
# Requests for a new access code (portal.site.tracking_recovery), per address and per phone.
CODE_RECOVERY_RATE_LIMIT = env.str("CODE_RECOVERY_RATE_LIMIT", default="10/h")
CODE_RECOVERY_PHONE_RATE_LIMIT = env.str("CODE_RECOVERY_PHONE_RATE_LIMIT", default="3/h")
# "My complaints" (portal.site.my_complaints): one-time codes by SMS, then a signed session
# entry with the phone's digest that lasts MY_COMPLAINTS_SESSION_SECONDS.
MY_COMPLAINTS_SESSION_SECONDS = env.int("MY_COMPLAINTS_SESSION_SECONDS", default=1800)
SIGN_IN_CODE_SECONDS = env.int("SIGN_IN_CODE_SECONDS", default=300)
SIGN_IN_CODE_ATTEMPTS = env.int("SIGN_IN_CODE_ATTEMPTS", default=5)
SIGN_IN_CODE_RESEND_SECONDS = env.int("SIGN_IN_CODE_RESEND_SECONDS", default=60)
SIGN_IN_CODE_PHONE_RATE_LIMIT = env.str("SIGN_IN_CODE_PHONE_RATE_LIMIT", default="5/h")
SIGN_IN_CODE_RATE_LIMIT = env.str("SIGN_IN_CODE_RATE_LIMIT", default="20/h")

# Elasticsearch: unset means the database search fallback.
ELASTICSEARCH_URL = env.str("ELASTICSEARCH_URL", default="")
ELASTICSEARCH_INDEX_PREFIX = env.str("ELASTICSEARCH_INDEX_PREFIX", default="portal")
ELASTICSEARCH_TIMEOUT = env.float("ELASTICSEARCH_TIMEOUT", default=5.0)
# "auto": our portal_smartcn plugin or smartcn where the node has it, else "standard" (one
# Chinese character at a time); or name one: "standard", "portal_smartcn", "smartcn", "ik_max_word".
ELASTICSEARCH_TEXT_ANALYZER = env.str("ELASTICSEARCH_TEXT_ANALYZER", default="auto")

# The portal's name where Wagtail cannot translate it (e-mails); admin pages use
# PORTAL_NAME through the templates in portal/templates/wagtailadmin/.
WAGTAIL_SITE_NAME = "物业服务监管平台"
# The account name authenticator apps show (django-otp removes any colon).
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default=WAGTAIL_SITE_NAME)
WAGTAILADMIN_BASE_URL = env.str("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
# The public site's address as citizens' SMS and e-mail name it, and its tracking page
# (portal.TrackingPage, slug "track"): messages link there with the number filled in (?n=).
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default=WAGTAILADMIN_BASE_URL)
TRACKING_PAGE_URL = env.str("TRACKING_PAGE_URL", default=PUBLIC_BASE_URL.rstrip("/") + "/track/")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf"]
# No avatars from a third-party service: it would receive a hash of every staff e-mail.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# Security headers. In production (DEBUG=0) every `check --deploy` item is on.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"  # Wagtail preview overrides it to SAMEORIGIN itself
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
# Content-Security-Policy (django-csp 4.0): no inline script or style anywhere on the public
# site. The Wagtail admin needs inline scripts and styles, so it is left out of the policy.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF],
        "img-src": [csp.SELF, "data:"],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "frame-ancestors": [csp.NONE],
        "form-action": [csp.SELF],
    },
}
# Open311 API: anonymous reads per client address, creations per partner key.
OPEN311_READ_RATE_LIMIT = env.str("OPEN311_READ_RATE_LIMIT", default="120/m")
OPEN311_CREATE_RATE_LIMIT = env.str("OPEN311_CREATE_RATE_LIMIT", default="30/m")
# Downloads of the open data set per client address.
OPEN_DATA_RATE_LIMIT = env.str("OPEN_DATA_RATE_LIMIT", default="60/m")
# "These answers may help" look-ups of the complaint form per client address (portal.site.faq).
FAQ_SUGGESTION_RATE_LIMIT = env.str("FAQ_SUGGESTION_RATE_LIMIT", default="60/m")
# Public Wagtail pages are served from the cache for anonymous visitors (portal.site.page_cache);
# every publish, unpublish or deletion invalidates them at once, this is only the upper bound.
PUBLIC_PAGE_CACHE_SECONDS = env.int("PUBLIC_PAGE_CACHE_SECONDS", default=300)
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if env.bool("BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Logs: readable text by default (development), one JSON object a line with LOG_FORMAT=json
# (production: a log shipper reads fields, not text). Every line has the request id
# (portal.operations.request_ids), also the lines of the Celery tasks the request queued.
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "portal.operations.request_ids.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "elastic_transport": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "django.db.backends": {"level": "INFO"},
    },
}

PORTAL_NAME = _("Property Service Regulation Portal")

# Operations (portal.operations, docs/deploy.md). /metrics answers only clients whose address
# (REMOTE_ADDR, never a forwarded header) is in these networks; everyone else gets a 404.
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=["127.0.0.1/32", "::1/128"])
for _network in METRICS_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError as bad:
        raise ImproperlyConfigured(f"METRICS_ALLOWED_NETWORKS: {bad}") from bad
# Request latency by view: a few buckets are enough to alert on, and each costs a series.
PROMETHEUS_LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, float("inf"))
# The probes and the scrape come straight from the load balancer and Prometheus over plain
# HTTP on the internal network: no redirect to HTTPS for them.
SECURE_REDIRECT_EXEMPT = [r"^healthz(/live|/ready)?$", r"^metrics$"]
