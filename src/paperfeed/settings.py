"""Django settings, read from the environment.

Every PAPERFEED_* variable and DATABASE_URL is documented in docs/configuration.md;
tests/test_configuration.py fails when one is read here but not documented there.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from paperfeed.config import (
    cache_settings,
    database_settings,
    email_settings,
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_str,
    lazy_secret_key,
)
from paperfeed.csp import build_policy

PACKAGE_DIR = Path(__file__).resolve().parent

DATA_DIR = Path(env_str("PAPERFEED_DATA_DIR", "./data")).expanduser().resolve()

DEBUG = env_bool("PAPERFEED_DEBUG", False)

# Read, or made in the data directory, when first used: never by `--help` (config.lazy_secret_key).
SECRET_KEY = env_str("PAPERFEED_SECRET_KEY", "") or lazy_secret_key(DATA_DIR)

BASE_URL = env_str("PAPERFEED_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

ALLOWED_HOSTS = env_list("PAPERFEED_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

INSTALLED_APPS = [
    "paperfeed.core.admin_site.AdminConfig",  # Django's admin, its site tolerant of forged input
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",  # the built-in widget templates, for the site's form renderer
    "paperfeed.ops",
    "paperfeed.sources",
    "paperfeed.papers",
    "paperfeed.thumbnails",
    "paperfeed.search",
    "paperfeed.feeds",
    "paperfeed.community.accounts",
    "paperfeed.community.votes",
    "paperfeed.community.discussion",
    "paperfeed.community.collections",
    "paperfeed.community.orgs",
    "paperfeed.community.claims",
    "paperfeed.community.submissions",
    "paperfeed.personal",
    "paperfeed.digests",
    "paperfeed.api",
    "paperfeed.jobs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # gzip for JSON answers only, never HTML (BREACH): core/compression.py.
    "paperfeed.core.compression.JsonGZipMiddleware",
    "paperfeed.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Query strings and form fields as valid text without control characters, for every view.
    "paperfeed.request_input.CleanInputMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "paperfeed.urls"
WSGI_APPLICATION = "paperfeed.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # Pages rendered for the page cache carry a placeholder CSRF token (core/page_cache.py).
                "paperfeed.core.page_cache.csrf_placeholder",
            ],
        },
    },
]

# Every form renders through templates/forms/ (field.html, form.html): see forms_renderer.py.
FORM_RENDERER = "paperfeed.forms_renderer.SiteFormRenderer"

# SQLite in the data directory unless DATABASE_URL says otherwise. The pragmas make SQLite
# a real server database: WAL lets readers run beside the writer, busy_timeout makes a
# writer wait for the lock instead of failing, and IMMEDIATE transactions take the write lock
# at BEGIN so two writers never deadlock upgrading a read lock.
SQLITE_PRAGMAS = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;"

DATABASES = {
    "default": database_settings(
        env_str("DATABASE_URL", "") or f"sqlite:///{DATA_DIR / 'paperfeed.sqlite3'}",
        conn_max_age=60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # SQLite connections are cheap; no stale handles.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": SQLITE_PRAGMAS,
        "transaction_mode": "IMMEDIATE",
        "timeout": 5,
    }

# The cache every worker shares: files in the data directory unless PAPERFEED_CACHE_URL names
# Redis or memcached (config.cache_settings). "default" holds counters, "pages" rendered pages.
CACHES = cache_settings(env_str("PAPERFEED_CACHE_URL", ""), DATA_DIR)
# Anonymous pages (lists, trending, paper pages) and feeds are rendered once per change and
# served from the "pages" cache; a write that changes them (ingest, vote, comment, trending
# run) starts a new generation at once, and a page lives at most this many seconds. 0: off.
PAPERFEED_PAGE_CACHE = env_int("PAPERFEED_PAGE_CACHE", 300, minimum=0)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The only backend: Django's ModelBackend behind the log-in limits, so every form that checks
# a password (/login, /admin/login/) is throttled the same way (community/accounts/backends.py).
AUTHENTICATION_BACKENDS = ["paperfeed.community.accounts.backends.ThrottledModelBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# Hashed, compressed copies of the static files, made by `init`, `serve` and `demo` themselves
# (core/static_storage.py): in the data directory, so a read-only install works.
STATIC_ROOT = Path(env_str("PAPERFEED_STATIC_ROOT", str(DATA_DIR / "static"))).expanduser().resolve()
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "paperfeed.core.static_storage.SiteStaticStorage"},
}
# Also serve the package's own files under their plain names: what pages link to before the
# first collection (and in DEBUG, where Django links the plain names).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# Only the hashed copies (and their .gz/.br) are kept in STATIC_ROOT: half the compression
# work and disk; a plain name is still served, from the package, by the finders above.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True

# Cookies: secure flags follow the scheme of the public base URL, so a site behind an
# HTTPS reverse proxy gets Secure cookies without another setting.
_HTTPS = BASE_URL.startswith("https://")
SESSION_COOKIE_SECURE = _HTTPS
CSRF_COOKIE_SECURE = _HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_TRUSTED_ORIGINS = [BASE_URL] if BASE_URL.startswith(("http://", "https://")) else []
if _HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy of every HTML page (csp.py): scripts, styles and fonts from the site
# only. PAPERFEED_CSP_EXTRA adds sources, e.g. "img-src https://logos.example.org".
PAPERFEED_CSP = build_policy(env_str("PAPERFEED_CSP_EXTRA", ""))

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "feed-latest"
LOGOUT_REDIRECT_URL = "feed-latest"

# -- e-mail --------------------------------------------------------------------------------
# One URL says where mail goes: smtp://host:port (plain, no login), smtp+tls://user:pass@host:587
# (STARTTLS), smtps://user:pass@host:465 (TLS from the start), file:///dir (one file per
# message), or console:// (print to stderr,
# the default, so password-reset links show up in the terminal of `paperfeed demo`).
# config.email_settings refuses a password on a plain smtp:// URL.
_EMAIL = email_settings(env_str("PAPERFEED_EMAIL_URL", "console://"))
EMAIL_BACKEND = _EMAIL.backend
EMAIL_HOST = _EMAIL.host
EMAIL_PORT = _EMAIL.port
EMAIL_HOST_USER = _EMAIL.user
EMAIL_HOST_PASSWORD = _EMAIL.password
EMAIL_USE_TLS = _EMAIL.starttls
EMAIL_USE_SSL = _EMAIL.tls
EMAIL_FILE_PATH = _EMAIL.file_path
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = env_str("PAPERFEED_EMAIL_FROM", "paperfeed <paperfeed@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# A digest whose sender died while handing it to SMTP (the server may or may not have it):
# "resend" it with the same Message-ID, or "hold" it for `paperfeed digest resolve`.
PAPERFEED_DIGEST_UNCERTAIN = env_str("PAPERFEED_DIGEST_UNCERTAIN", "resend").strip().lower()
if PAPERFEED_DIGEST_UNCERTAIN not in ("resend", "hold"):
    raise ImproperlyConfigured(
        f"PAPERFEED_DIGEST_UNCERTAIN must be resend or hold; got {PAPERFEED_DIGEST_UNCERTAIN!r}"
    )
PASSWORD_RESET_TIMEOUT = 3 * 3600

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": env_choice(
            "PAPERFEED_LOG_LEVEL", "WARNING", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"), case_sensitive=False
        ),
    },
}

# How many papers a feed or search page shows at once.
PAGE_SIZE = 30

# -- sources -------------------------------------------------------------------------------
# Endpoints are settings so that a mirror, or a test server on loopback, can stand in.
PAPERFEED_ARXIV_API_URL = env_str("PAPERFEED_ARXIV_API_URL", "https://export.arxiv.org/api/query")
PAPERFEED_ARXIV_OAI_URL = env_str("PAPERFEED_ARXIV_OAI_URL", "https://oaipmh.arxiv.org/oai")
PAPERFEED_ARXIV_RSS_URL = env_str("PAPERFEED_ARXIV_RSS_URL", "https://rss.arxiv.org/rss")
PAPERFEED_HF_URL = env_str("PAPERFEED_HF_URL", "https://huggingface.co").rstrip("/")
# PDFs for thumbnails: <base>/<id>. arXiv's export mirror is the host it names for programs.
PAPERFEED_ARXIV_PDF_URL = env_str("PAPERFEED_ARXIV_PDF_URL", "https://export.arxiv.org/pdf").rstrip("/")
# arXiv's terms: one request every 3 seconds. Lower it only for your own mirror or tests.
PAPERFEED_ARXIV_INTERVAL = env_float("PAPERFEED_ARXIV_INTERVAL", 3.0, minimum=0.0)
PAPERFEED_HTTP_TIMEOUT = env_float("PAPERFEED_HTTP_TIMEOUT", 60.0, minimum=1.0)
PAPERFEED_HTTP_RETRIES = env_int("PAPERFEED_HTTP_RETRIES", 4, minimum=0)
PAPERFEED_HTTP_BACKOFF = env_float("PAPERFEED_HTTP_BACKOFF", 5.0, minimum=0.0)
# Named in the User-Agent of every request, as arXiv asks of API clients.
PAPERFEED_CONTACT_EMAIL = env_str("PAPERFEED_CONTACT_EMAIL", "")
# Where vulnerabilities in this instance are reported (/.well-known/security.txt, RFC 9116):
# an e-mail address or an https:// URL; the contact e-mail above when unset.
PAPERFEED_SECURITY_CONTACT = env_str("PAPERFEED_SECURITY_CONTACT", "") or PAPERFEED_CONTACT_EMAIL

# -- thumbnails ----------------------------------------------------------------------------
# A PDF larger than this is refused unread (arXiv's own limit for a submission is 50 MB).
PAPERFEED_THUMBNAIL_MAX_BYTES = env_int("PAPERFEED_THUMBNAIL_MAX_BYTES", 50_000_000, minimum=1024)
# Rendering one first page runs in a child process, ended after this many seconds.
PAPERFEED_THUMBNAIL_RENDER_SECONDS = env_float("PAPERFEED_THUMBNAIL_RENDER_SECONDS", 30.0, minimum=0.01)

# -- search --------------------------------------------------------------------------------
# The sentence-transformers model for semantic search: all-MiniLM-L6-v2 by default (shipped
# as an int8 ONNX file, offline), or any model path / hub name (needs the torch extra).
PAPERFEED_EMBEDDING_MODEL = env_str("PAPERFEED_EMBEDDING_MODEL", "all-MiniLM-L6-v2")
PAPERFEED_EMBEDDING_MAX_TOKENS = env_int("PAPERFEED_EMBEDDING_MAX_TOKENS", 256, minimum=16)
# Relevance floor of search: a paper that matches none of the query's words is a result only
# when its embedding is at least this close (cosine) to the query's, so a query nothing
# matches gets "no results" instead of the least unrelated papers. Chosen on SciFact's train
# split, where it leaves nDCG@10 as it was (docs/benchmarks.md); -1 turns the floor off.
PAPERFEED_SEARCH_MIN_SIMILARITY = env_float("PAPERFEED_SEARCH_MIN_SIMILARITY", 0.3, minimum=-1.0)
# Above this many papers the semantic leg uses an approximate (HNSW) index instead of an
# exact scan; both hold float16 vectors. At 100k papers the scan takes ~5 ms and the graph
# ~0.4 ms at recall@10 0.998 (docs/benchmarks.md).
PAPERFEED_ANN_THRESHOLD = env_int("PAPERFEED_ANN_THRESHOLD", 50_000, minimum=1)
# Where the vector index lives: "file" (a faiss file in the data directory, loaded by each
# worker), "pgvector" (in PostgreSQL, shared by every worker), or "auto": pgvector on
# PostgreSQL, the file on SQLite.
PAPERFEED_VECTOR_STORE = env_choice("PAPERFEED_VECTOR_STORE", "auto", ("auto", "file", "pgvector"))
if PAPERFEED_VECTOR_STORE == "pgvector" and DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("PAPERFEED_VECTOR_STORE=pgvector needs a PostgreSQL DATABASE_URL")
# How the model runs: "onnx-int8" (ONNX Runtime with 8-bit weights, about twice as fast) or
# "torch" (sentence-transformers in float32, the reference); same ranking quality.
PAPERFEED_EMBEDDING_RUNTIME = env_choice("PAPERFEED_EMBEDDING_RUNTIME", "onnx-int8", ("onnx-int8", "torch"))
# Where the ONNX file made on first use from a model other than the shipped default is kept.
PAPERFEED_MODEL_CACHE = Path(env_str("PAPERFEED_MODEL_CACHE", str(DATA_DIR / "models"))).expanduser().resolve()
# Off by default (0: every keyword, exact BM25). Set, the lexical leg of hybrid search ORs a
# query's keywords rarest first until their posting lists hold this many papers in all:
# much faster at 100k+ papers, at a cost in ranking quality (docs/benchmarks.md).
PAPERFEED_LEXICAL_POSTINGS = env_int("PAPERFEED_LEXICAL_POSTINGS", 0, minimum=0)
# Impact lists: `paperfeed index` stores, for every word held by more than IMPACT_THRESHOLD
# papers (0: no lists), every paper's BM25 share and its best papers — IMPACT_LIST_LENGTH of
# them, by default (0) 1.5 % of the papers, at least 1,000 — and the lexical leg reads those
# instead of having the database score every paper holding the word (search.impact; the
# defaults meet the latency targets at 100k-1M papers with no loss of ranking quality on
# SciFact scaled to those sizes, docs/benchmarks.md). Unset (None), the threshold is the
# search engine's own default (search.engines: 1,000 on SQLite, 100 on PostgreSQL).
PAPERFEED_IMPACT_THRESHOLD = env_int("PAPERFEED_IMPACT_THRESHOLD", None, minimum=0)
PAPERFEED_IMPACT_LIST_LENGTH = env_int("PAPERFEED_IMPACT_LIST_LENGTH", 0, minimum=0)
# Megabytes of impact lists each process keeps in memory once read; unset (None), all of the
# current build's lists (~6 bytes per posting: ~40 MB at 100k papers, ~400 MB at a million).
PAPERFEED_IMPACT_CACHE_MB = env_int("PAPERFEED_IMPACT_CACHE_MB", None, minimum=1)

# -- community -----------------------------------------------------------------------------
# Whether anyone may create an account at /signup (admins can always add users with
# `paperfeed user add`).
PAPERFEED_SIGNUP_OPEN = env_bool("PAPERFEED_SIGNUP_OPEN", True)
# Behind a reverse proxy, take the client address from X-Forwarded-For (for rate limits).
PAPERFEED_TRUST_X_FORWARDED_FOR = env_bool("PAPERFEED_TRUST_X_FORWARDED_FOR", False)
# Failed logins allowed per 15 minutes, per account and per client address.
PAPERFEED_LOGIN_FAILURES_PER_ACCOUNT = env_int("PAPERFEED_LOGIN_FAILURES_PER_ACCOUNT", 5, minimum=1)
PAPERFEED_LOGIN_FAILURES_PER_IP = env_int("PAPERFEED_LOGIN_FAILURES_PER_IP", 20, minimum=1)
# Requests with an unknown or revoked API token allowed per 15 minutes per client address.
PAPERFEED_TOKEN_FAILURES_PER_IP = env_int("PAPERFEED_TOKEN_FAILURES_PER_IP", 20, minimum=1)
# Comments and submissions one user may post per hour.
PAPERFEED_COMMENTS_PER_HOUR = env_int("PAPERFEED_COMMENTS_PER_HOUR", 30, minimum=1)
PAPERFEED_SUBMISSIONS_PER_DAY = env_int("PAPERFEED_SUBMISSIONS_PER_DAY", 20, minimum=1)
# /papers opens on the newest day whose list has at least this many papers (1: the newest
# day, whatever its size); a newer, shorter list is linked from the page.
PAPERFEED_FRONT_PAGE_MIN_PAPERS = env_int("PAPERFEED_FRONT_PAGE_MIN_PAPERS", 10, minimum=1)
# A paper may be submitted to the daily list within this many days of its arXiv date
# (Hugging Face's rule), and only once.
PAPERFEED_SUBMIT_MAX_AGE_DAYS = env_int("PAPERFEED_SUBMIT_MAX_AGE_DAYS", 14, minimum=0)
# Authorship claims one user may make per 24 hours (each one is read by a moderator).
PAPERFEED_CLAIMS_PER_DAY = env_int("PAPERFEED_CLAIMS_PER_DAY", 10, minimum=1)
# Trending: score = (upvotes + COMMENT_WEIGHT × comments) / (age in hours + 2) ^ GRAVITY
PAPERFEED_TRENDING_GRAVITY = env_float("PAPERFEED_TRENDING_GRAVITY", 1.5, minimum=0.0)
PAPERFEED_TRENDING_COMMENT_WEIGHT = env_float("PAPERFEED_TRENDING_COMMENT_WEIGHT", 0.5, minimum=0.0)

# -- operations ----------------------------------------------------------------------------
# Where `paperfeed backup`/`restore` find pg_dump and pg_restore on PostgreSQL; empty: on PATH.
# pg_dump must be of the server's major version or newer, which the system's may not be.
PAPERFEED_PG_BIN = env_str("PAPERFEED_PG_BIN", "")
if PAPERFEED_PG_BIN:
    PAPERFEED_PG_BIN = str(Path(PAPERFEED_PG_BIN).expanduser().resolve())

# -- api -----------------------------------------------------------------------------------
# Requests per minute to the JSON API's read endpoints: per client address without a token,
# per account with a paperfeed token. 0 turns the limit off (e.g. behind a proxy that limits).
PAPERFEED_API_ANON_RATE = env_int("PAPERFEED_API_ANON_RATE", 120, minimum=0)
PAPERFEED_API_TOKEN_RATE = env_int("PAPERFEED_API_TOKEN_RATE", 600, minimum=0)

# -- jobs (the built-in schedule; docs/features/jobs.md) --------------------------------------
# `serve`/`demo` run the periodic jobs themselves unless this is off (for those who keep cron).
PAPERFEED_JOBS = env_bool("PAPERFEED_JOBS", True)
# One cron expression per job, in UTC (a sixth field, seconds, is allowed); "off" disables one.
# Parsed and checked by paperfeed.jobs.schedule (a bad one is a configuration error, exit 2).
PAPERFEED_JOB_SCHEDULES = {
    # arXiv announces Sunday–Thursday 20:00 US Eastern: Monday–Friday 00:00/01:00 UTC.
    "INGEST_RSS": env_str("PAPERFEED_JOB_INGEST_RSS", "0 2 * * 1-5"),
    "INGEST_HF": env_str("PAPERFEED_JOB_INGEST_HF", "30 22 * * *"),
    "INDEX": env_str("PAPERFEED_JOB_INDEX", "after-ingest"),
    "TRENDING": env_str("PAPERFEED_JOB_TRENDING", "5 * * * *"),
    "RECOMMEND": env_str("PAPERFEED_JOB_RECOMMEND", "0 3 * * *"),
    "DIGESTS": env_str("PAPERFEED_JOB_DIGESTS", "5 * * * *"),
    "BACKUP": env_str("PAPERFEED_JOB_BACKUP", "30 3 * * *"),
}
# The arXiv categories the INGEST_RSS job fetches.
PAPERFEED_ARXIV_CATEGORIES = env_str("PAPERFEED_ARXIV_CATEGORIES", "cs.LG,cs.CL,cs.CV")
# Where the BACKUP job writes its archives (unset: the job is off) and for how many days it
# keeps them (0: all).
PAPERFEED_BACKUP_DIR = env_str("PAPERFEED_BACKUP_DIR", "")
PAPERFEED_BACKUP_KEEP_DAYS = env_int("PAPERFEED_BACKUP_KEEP_DAYS", 14, minimum=0)
# How long a runner's claim lasts without renewal (renewed every third of it), and how often
# each scheduler looks at the clock. Shorter values only for tests.
PAPERFEED_JOBS_LEASE = env_float("PAPERFEED_JOBS_LEASE", 60.0, minimum=1.0)
PAPERFEED_JOBS_TICK = env_float("PAPERFEED_JOBS_TICK", 10.0, minimum=0.1)
