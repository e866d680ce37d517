"""Settings for Tuning Studio, read from the environment.

Every setting has a default that works on a laptop: SQLite, the ORM broker and a
storage root under ``var/`` in the checkout.
"""

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def _secret_key() -> str:
    if key := os.environ.get("STUDIO_SECRET_KEY"):
        return key
    # A generated key kept beside the database, so sessions survive restarts
    # without a secret ever being committed.
    path = Path(env_str("STUDIO_STORAGE_ROOT", str(BASE_DIR / "var"))) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("STUDIO_DEBUG", False)
STORAGE_ROOT = Path(env_str("STUDIO_STORAGE_ROOT", str(BASE_DIR / "var")))
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_str("STUDIO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "django_q",
    "tunes",
    "datasets",
    "lab",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "studio_site.urls"
WSGI_APPLICATION = "studio_site.wsgi.application"

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


def database_from_url(url: str) -> dict[str, Any]:
    """Django's settings for a PostgreSQL URL.

    postgres://USER:PASSWORD@HOST:PORT/NAME?sslmode=require: the query holds
    libpq's connection options. A host written %2Fpath is a socket folder.
    """
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured(
            f"STUDIO_DATABASE_URL must start with postgres://, not {parts.scheme}://"
        )
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise ImproperlyConfigured("STUDIO_DATABASE_URL names no database")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": unquote(parts.hostname or ""),
        "PORT": str(parts.port or ""),
        "OPTIONS": dict(parse_qsl(parts.query)),
        # Web and worker processes keep their connection between requests
        # and jobs, and check it before reuse.
        "CONN_MAX_AGE": env_int("STUDIO_DATABASE_CONN_MAX_AGE", 60),
        "CONN_HEALTH_CHECKS": True,
    }


def sqlite_database(path: str) -> dict[str, Any]:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        # The worker and the web server write to the same file; wait for the
        # other's lock instead of failing at once.
        "OPTIONS": {"timeout": 30, "transaction_mode": "IMMEDIATE"},
        # A file, not memory, so that tests can start a real worker process
        # on the test database.
        "TEST": {"NAME": str(STORAGE_ROOT / "test.sqlite3")},
    }


# SQLite under the storage root, unless STUDIO_DATABASE_URL names a PostgreSQL
# server: several web servers and worker machines need one.
DATABASES = {
    "default": database_from_url(os.environ["STUDIO_DATABASE_URL"])
    if os.environ.get("STUDIO_DATABASE_URL")
    else sqlite_database(
        env_str("STUDIO_DATABASE_PATH", str(STORAGE_ROOT / "studio.sqlite3"))
    )
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "tunes:list_models"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Only a deployment that runs collectstatic sets a static root; otherwise
# WhiteNoise serves straight from the static folders.
STATIC_ROOT = os.environ.get("STUDIO_STATIC_ROOT") or None
WHITENOISE_USE_FINDERS = True

# Uploads and job outputs live under the storage root, which is never served
# as static or media: every download goes through a view that checks its owner.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

SAMPLE_DATA_DIR = BASE_DIR / "sample_data"
# A remote STAC API the lab may search for imagery, e.g. a public Sentinel-2
# L2A catalogue; empty keeps the lab to the scenes registered on this server.
# Only an operator sets it, so no person can point the worker at an address.
LAB_STAC_API_URL = env_str("STUDIO_STAC_API_URL", "")
# Backbone weights come from a file an operator registered, else from the
# Hugging Face cache on this machine. Downloading from the hub is opt-in: the
# studio runs where no network may be reached.
WEIGHTS_FROM_HUB = env_bool("STUDIO_WEIGHTS_FROM_HUB", False)
# Empty: the Hugging Face default (HF_HUB_CACHE, else ~/.cache/huggingface/hub).
HUB_CACHE_DIR = env_str("STUDIO_HUB_CACHE_DIR", "")

# A tune can train for hours: the queue's timeout is generous, and the retry
# delay is longer still so that the broker never hands a running tune to a
# second worker. The tune row is claimed with a conditional update as well.
TUNE_TIMEOUT_SECONDS = env_int("STUDIO_TUNE_TIMEOUT_SECONDS", 48 * 3600)
# A running tune stamps its row this often; one silent for the timeout is
# marked failed (its worker was killed or its machine restarted).
TUNE_HEARTBEAT_SECONDS = env_int("STUDIO_TUNE_HEARTBEAT_SECONDS", 10)
TUNE_HEARTBEAT_TIMEOUT_SECONDS = env_int("STUDIO_TUNE_HEARTBEAT_TIMEOUT_SECONDS", 120)


def broker_from_url(url: str) -> dict[str, Any]:
    """django-q2's broker: Redis for a redis:// URL, else the database itself."""
    if not url:
        return {"orm": "default"}
    if urlsplit(url).scheme not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured(
            "STUDIO_BROKER_URL must be a Redis URL (redis://, rediss:// or unix://)"
        )
    return {"redis": url}


# Queues. Each worker process (`manage.py qcluster`) serves one queue, named by
# STUDIO_WORKER_QUEUE; each kind of job goes to the queue its setting names. By
# default there is one queue, "studio", which a laptop's single worker serves.
# To give tunes to GPU machines, set STUDIO_TUNE_QUEUE=gpu everywhere and
# STUDIO_WORKER_QUEUE=gpu on their workers. The default queue also runs the
# scheduled checks (lost tunes), so one worker somewhere must serve it.
DEFAULT_QUEUE = "studio"
WORKER_QUEUE = env_str("STUDIO_WORKER_QUEUE", DEFAULT_QUEUE)
TUNE_QUEUE = env_str("STUDIO_TUNE_QUEUE", DEFAULT_QUEUE)
ONBOARDING_QUEUE = env_str("STUDIO_ONBOARDING_QUEUE", DEFAULT_QUEUE)
INFERENCE_QUEUE = env_str("STUDIO_INFERENCE_QUEUE", DEFAULT_QUEUE)
Q_CLUSTER = {
    # The site's name: the same on every machine. Jobs are signed with it and
    # the secret key, so every machine needs the same STUDIO_SECRET_KEY too.
    "name": DEFAULT_QUEUE,
    "cluster_name": WORKER_QUEUE,
    **broker_from_url(env_str("STUDIO_BROKER_URL", "")),
    "workers": env_int("STUDIO_WORKERS", 1),
    # A tune may start processes of its own: data loader workers, or one
    # process per device when it trains on several.
    "daemonize_workers": False,
    "timeout": TUNE_TIMEOUT_SECONDS,
    "retry": TUNE_TIMEOUT_SECONDS + 3600,
    "max_attempts": 1,
    "catch_up": False,
    "save_limit": 1000,
    "poll": 1,
    "label": "Worker queue",
}

# The Lightning devices a worker trains a tune on: by default one device of
# whatever the machine has. STUDIO_TRAINER_DEVICES=4 (or a list, 0,2) with the
# gpu accelerator spreads each tune over several GPUs of the machine; see
# tunes.trainer_settings for the strategy. A precision set here overrides the
# tune's own, e.g. bf16-mixed on GPUs that have it.
TRAINER_ACCELERATOR = env_str("STUDIO_TRAINER_ACCELERATOR", "auto")
TRAINER_DEVICES = env_str("STUDIO_TRAINER_DEVICES", "1")
TRAINER_STRATEGY = env_str("STUDIO_TRAINER_STRATEGY", "auto")
TRAINER_PRECISION = env_str("STUDIO_TRAINER_PRECISION", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "tunes": {"level": "INFO"},
        "datasets": {"level": "INFO"},
        "lab": {"level": "INFO"},
    },
}
